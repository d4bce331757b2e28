// What every Slack handler shares: the service, the Web API client, file intake and the launcher (all memory that matters is in the store).
import type { WebClient } from '@slack/web-api';
import type { ImagineService } from '../../core/imagine-service.ts';
import type { Requester } from '../../core/request.ts';
import type { Logger } from '../../log.ts';
import type { FileIntake } from './file-intake.ts';
import type { JobLauncher } from './job-launcher.ts';
import type { SlackPacing } from './slack-pacing.ts';
import type { SlackUserDirectory } from './user-directory.ts';

/** Dependencies every handler receives. */
export interface SlackRuntime {
  service: ImagineService;
  /** Bolt's client, for interactive answers (ephemeral messages, modals, reading threads). */
  client: WebClient;
  /** Paced calls: status messages, progress and outcomes (see `createSlackPacing`). */
  pacing: SlackPacing;
  botUserId: string;
  intake: FileIntake;
  launcher: JobLauncher;
  /** Workspace admins and members' names (`users.info`, cached). */
  users: SlackUserDirectory;
  /** Images larger than this are re-encoded before upload (results, and images `/imagine show` posts again). */
  uploadLimitBytes: number;
  logger: Logger;
  /** Latest moment (ms after arrival) a handler acks, safely inside Slack's 3-second window. */
  ackDeadlineMs: number;
}

/** The community key of a Slack workspace (`slack:T123`), under which its settings and moderation log are kept. */
export function workspaceKey(teamId: string): string {
  return `slack:${teamId}`;
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
