// Starts a job from Slack once its request is recorded as an intake: posts (or reuses) the status message, then stores the job.
import type { WebClient } from '@slack/web-api';
import { isBotError, toBotError } from '../../core/errors.ts';
import type { ImagineService } from '../../core/imagine-service.ts';
import type { GenerationRequest, Origin, Reference, Requester } from '../../core/request.ts';
import type { Logger } from '../../log.ts';
import { statusMessage } from './blocks.ts';
import type { JobSettings } from './job-settings.ts';
import { slackText, type JobKind } from './messages.ts';
import { pendingMarker } from './pending-status.ts';
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
  /** The intake's key (event, trigger or view id): the job is stored under it, so it is charged once. */
  dedupeKey: string;
  /** A status message already posted for this request (by a process that died before the job existed): reused. */
  statusTs?: string;
}

/** How a launch ended. */
export type LaunchOutcome =
  | { kind: 'started'; jobId: string; statusTs: string }
  | { kind: 'duplicate' }
  /** The bot is stopping: the pending message and the intake stay for the next process to finish. */
  | { kind: 'deferred' }
  /** Nothing was started or charged; `text` tells the user why (already escaped). */
  | { kind: 'refused'; text: string };

/** Starts jobs for every Slack entry point (command, replies, mentions, buttons, modal). */
export interface JobLauncher {
  /** A refusal text when the requester cannot afford `settings` right now; checked before slow work. */
  checkCredits(requester: Requester, settings: Pick<JobSettings, 'resolution'>): Promise<string | undefined>;
  /**
   * Posts the status message (marked with the dedupe key, see `findPendingStatus`) unless `statusTs`
   * names one, then starts the job. A status message posted here is removed again when the job is
   * refused; a reused one is left for the caller to end. The intake is the caller's to release.
   */
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

  /** Posts the "queued" status message; a refusal text when Slack will not take it. */
  async function postStatus(input: LaunchInput, draft: GenerationRequest): Promise<{ ts: string } | { refusal: string }> {
    const body = statusMessage(lineFromRequest(draft, input.kind, slackText.stateQueued(undefined, undefined)));
    try {
      const posted = await client.chat.postMessage({
        channel: input.channelId,
        text: body.text,
        blocks: body.blocks,
        unfurl_links: false,
        unfurl_media: false,
        metadata: pendingMarker(input.dedupeKey),
        ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
      });
      return { ts: posted.ts as string };
    } catch (error) {
      const code = slackErrorCode(error);
      logger.warn({ err: error, channel: input.channelId, code }, 'could not post the status message');
      return { refusal: code && cannotPostErrors.has(code) ? slackText.notInChannel : slackText.startFailed };
    }
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
    const postedHere = input.statusTs === undefined;
    let statusTs = input.statusTs;
    if (statusTs === undefined) {
      const posted = await postStatus(input, draft);
      if ('refusal' in posted) return { kind: 'refused', text: posted.refusal };
      statusTs = posted.ts;
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
      const started = await service.start({ ...draft, origin }, { dedupeKey: input.dedupeKey });
      if (started.duplicate) {
        // Another process (one that took this request over while this one was stalled) stored the job first.
        // Its status message stays; ours goes, unless that process found and reused ours.
        const existing = postedHere ? await service.getJob(started.jobId) : undefined;
        if (postedHere && existing?.origin.messageId !== statusTs) await removeStatus(input.channelId, statusTs);
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
      if (isBotError(error) && error.code === 'stopping') return { kind: 'deferred' };
      if (postedHere) await removeStatus(input.channelId, statusTs);
      const failure = toBotError(error);
      if (!isBotError(error)) logger.error({ err: error }, 'starting a job failed');
      return { kind: 'refused', text: slackText.refusal(failure.code, failure.message) };
    }
  }

  return { checkCredits, launch };
}
