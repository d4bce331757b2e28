// Starts a job from Slack: posts the status message first (its ts is part of the stored origin), records it as an
// intake (so a restart before the job exists can still end that message), then persists the job.
import type { WebClient } from '@slack/web-api';
import { isBotError, toBotError } from '../../core/errors.ts';
import type { ImagineService } from '../../core/imagine-service.ts';
import type { GenerationRequest, Origin, Reference, Requester } from '../../core/request.ts';
import type { Logger } from '../../log.ts';
import { statusMessage } from './blocks.ts';
import type { JobSettings } from './job-settings.ts';
import { slackText, type JobKind } from './messages.ts';
import { slackErrorCode } from './slack-payloads.ts';
import { lineFromRequest } from './status-line.ts';

/** Everything needed to start one job in a Slack channel or thread. */
export interface LaunchInput {
  kind: JobKind;
  requester: Requester;
  channelId: string;
  /** Thread to work in; undefined posts the status message at channel level, where it becomes the thread. */
  threadTs: string | undefined;
  /** The user's message this job answers (thread replies, mentions). */
  replyToTs?: string;
  prompt: string;
  references: Reference[];
  settings: JobSettings;
  /** Event, trigger or view id: a redelivery finds the stored job instead of charging again. */
  dedupeKey: string;
}

/** How a launch ended. */
export type LaunchOutcome =
  | { kind: 'started'; jobId: string; statusTs: string }
  | { kind: 'duplicate' }
  /** Nothing was started or charged; `text` tells the user why (already escaped). */
  | { kind: 'refused'; text: string };

/** Starts jobs for every Slack entry point (command, replies, mentions, buttons, modal). */
export interface JobLauncher {
  /** A refusal text when the requester cannot afford `settings` right now; checked before slow work. */
  checkCredits(requester: Requester, settings: Pick<JobSettings, 'resolution'>): Promise<string | undefined>;
  launch(input: LaunchInput): Promise<LaunchOutcome>;
}

/** Slack errors meaning the bot cannot post in the channel (not invited, archived, gone). */
const cannotPostErrors = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

/** The launcher over `service` and the Web API `client`. */
export function createJobLauncher(dependencies: { service: ImagineService; client: WebClient; logger: Logger }): JobLauncher {
  const { service, client, logger } = dependencies;

  async function checkCredits(requester: Requester, settings: Pick<JobSettings, 'resolution'>): Promise<string | undefined> {
    const balance = await service.balance(requester);
    const cost = service.costOf({ resolution: settings.resolution });
    return !balance.unlimited && balance.remaining < cost ? slackText.notEnoughCredits(balance, cost) : undefined;
  }

  async function removeStatus(channel: string, ts: string): Promise<void> {
    await client.chat.delete({ channel, ts }).catch((error: unknown) => logger.warn({ err: error, channel, ts }, 'could not remove a status message'));
  }

  async function launch(input: LaunchInput): Promise<LaunchOutcome> {
    const refusal = await checkCredits(input.requester, input.settings);
    if (refusal) return { kind: 'refused', text: refusal };

    const draft: GenerationRequest = {
      prompt: input.prompt,
      references: input.references,
      ...(input.settings.aspectRatio === undefined ? {} : { aspectRatio: input.settings.aspectRatio }),
      resolution: input.settings.resolution,
      outputFormat: 'png',
      provider: input.settings.provider,
      ...(input.settings.model === undefined ? {} : { model: input.settings.model }),
      requester: input.requester,
      origin: { platform: 'slack' },
    };
    const body = statusMessage(lineFromRequest(draft, input.kind, slackText.stateQueued(undefined, undefined)));
    let statusTs: string;
    try {
      const posted = await client.chat.postMessage({
        channel: input.channelId,
        text: body.text,
        blocks: body.blocks,
        unfurl_links: false,
        unfurl_media: false,
        ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
      });
      statusTs = posted.ts as string;
    } catch (error) {
      const code = slackErrorCode(error);
      logger.warn({ err: error, channel: input.channelId, code }, 'could not post the status message');
      return { kind: 'refused', text: code && cannotPostErrors.has(code) ? slackText.notInChannel : slackText.startFailed };
    }

    const origin: Origin = {
      platform: 'slack',
      ...(input.requester.communityId ? { communityId: input.requester.communityId } : {}),
      channelId: input.channelId,
      threadId: input.threadTs ?? statusTs,
      messageId: statusTs,
      ...(input.replyToTs ? { replyToMessageId: input.replyToTs } : {}),
      extra: { kind: input.kind },
    };
    try {
      // Persist, then carry on: from here the status message is pending, and if the bot dies before `start`
      // stores the job, restart recovery ends it through `Delivery.interrupted`. A false answer (the key is
      // known) needs no branch: `start` below finds an existing job and reports the duplicate.
      await service.accept({ dedupeKey: input.dedupeKey, origin, prompt: input.prompt });
      const started = await service.start({ ...draft, origin }, { dedupeKey: input.dedupeKey });
      if (started.duplicate) {
        // A redelivery after a restart: the first delivery's status message already tracks the job.
        await removeStatus(input.channelId, statusTs);
        return { kind: 'duplicate' };
      }
      if (started.queuePosition !== undefined) {
        const queued = statusMessage(lineFromRequest(draft, input.kind, slackText.stateQueued(started.queuePosition, started.queueReason)));
        await client.chat
          .update({ channel: input.channelId, ts: statusTs, text: queued.text, blocks: queued.blocks })
          .catch((error: unknown) => logger.warn({ err: error }, 'could not show the queue position'));
      }
      return { kind: 'started', jobId: started.jobId, statusTs };
    } catch (error) {
      await removeStatus(input.channelId, statusTs);
      const failure = toBotError(error);
      if (!isBotError(error)) logger.error({ err: error }, 'starting a job failed');
      return { kind: 'refused', text: slackText.refusal(failure.code, failure.message) };
    } finally {
      // Every way out of here either stored the job or already told the user; the intake has nothing left to end.
      await service.release(input.dedupeKey).catch((error: unknown) => logger.warn({ err: error }, 'could not forget an intake'));
    }
  }

  return { checkCredits, launch };
}
