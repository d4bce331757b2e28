// What every Slack handler shares: the service, the Web API client, file intake, the launcher and dedupe memory.
import type { WebClient } from '@slack/web-api';
import type { ImagineService } from '../../core/imagine-service.ts';
import type { Requester } from '../../core/request.ts';
import type { Logger } from '../../log.ts';
import type { FileIntake } from './file-intake.ts';
import type { JobLauncher } from './job-launcher.ts';
import type { RecentKeys } from './recent-keys.ts';

/** Dependencies every handler receives. */
export interface SlackRuntime {
  service: ImagineService;
  client: WebClient;
  botUserId: string;
  intake: FileIntake;
  launcher: JobLauncher;
  /** Event and interaction ids already handled by this process. */
  recent: RecentKeys;
  logger: Logger;
  /** Latest moment (ms after arrival) a handler acks, safely inside Slack's 3-second window. */
  ackDeadlineMs: number;
}

/** The requester of a Slack user in a workspace. */
export function slackRequester(userId: string, teamId: string | undefined, displayName?: string): Requester {
  return {
    platform: 'slack',
    userId,
    ...(teamId ? { communityId: teamId } : {}),
    ...(displayName ? { displayName } : {}),
  };
}
