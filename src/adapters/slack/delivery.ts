// Slack's Delivery: progress as paced status updates, results uploaded as outcomes (first, never dropped), failures explained,
// and (when it cannot) the end of requests a process stopped on before they became jobs.
import { systemClock, type Clock } from '../../core/clock.ts';
import { createBackgroundEndings } from '../../core/pacing/background-endings.ts';
import type { Delivery, DeliveryReceipt, JobFailure, JobProgress, JobResult } from '../../core/delivery.ts';
import type { Intake } from '../../core/job-store.ts';
import { BotError } from '../../core/errors.ts';
import type { Origin } from '../../core/request.ts';
import type { Logger } from '../../log.ts';
import { statusMessage, type MessageBody } from './blocks.ts';
import { communityText } from './community-messages.ts';
import { slackText } from './messages.ts';
import { sharedMessageTs, uploadResult } from './result-upload.ts';
import { findPostedResult } from './posted-result-lookup.ts';
import { slackErrorCode } from './slack-payloads.ts';
import type { SlackPacing } from './slack-pacing.ts';
import { lineFromSummary, slackUserIdOf } from './status-line.ts';
import type { StatusMessages } from './status-messages.ts';
import type { SlackUserDirectory } from './user-directory.ts';

/**
 * Largest image posted as is. Slack accepts far bigger files, but beyond this size previews render
 * slowly and phones download for a long time; a re-encoded JPEG of the same picture is then the better post.
 */
export const defaultUploadLimitBytes = 25_000_000;

/** The paced Web API, the status messages, a logger, and the adapter's limits. */
export interface SlackDeliveryOptions {
  pacing: SlackPacing;
  statuses: StatusMessages;
  logger: Logger;
  /** Results larger than this are re-encoded to fit (default 25 MB). */
  uploadLimitBytes?: number;
  /** Finishes a request acknowledged by a process that died before its job existed (see `resumeSlackIntake`). */
  resumeIntake?: (intake: Intake) => Promise<void>;
  /** Names who cancelled a job without a mention (default: "the person who asked" or "a workspace admin"). */
  users?: SlackUserDirectory;
  clock?: Clock;
}

/** Slack's Delivery, and waiting for the endings of posted results on the way out. */
export interface SlackDelivery extends Delivery {
  /**
   * This process stopped working on the job without ending it (its lease went to another process, or
   * someone cancelled it through another process): progress edits still queued here are dropped, so
   * none of them overwrites what the job's new owner or the canceller shows. (Later reports are not
   * refused: this process may hold the job again one day, after its new owner died in turn.)
   */
  abandoned(origin: Origin, jobId: string): void;
  /** Gives final edits and buttons still waiting for Slack's budget a few seconds to go out. */
  stop(): Promise<void>;
}

/** How long a stopping app waits for endings of posted results (the budget for messages may be spent). */
const endingsDrainMs = 10_000;

/** Slack errors meaning the channel cannot be written to any more: retrying on the next start cannot help either. */
const unreachableChannelErrors = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action', 'cant_update_message']);

/** Bounded memory of finished jobs, so a late progress report never overwrites the outcome. */
const rememberedJobs = 5000;

function progressState(progress: JobProgress): string {
  if (progress.phase === 'queued') return slackText.stateQueued(progress.queuePosition, progress.queueReason);
  return slackText.stateGenerating(progress.percent);
}

/** Creates the Delivery the runner calls for jobs whose origin platform is `slack`. */
export function createSlackDelivery(options: SlackDeliveryOptions): SlackDelivery {
  const { pacing, statuses, logger } = options;
  const endings = createBackgroundEndings(logger);
  const { client } = pacing;
  const clock = options.clock ?? systemClock;
  const uploadLimit = options.uploadLimitBytes ?? defaultUploadLimitBytes;
  const finished = new Set<string>();

  function markFinished(jobId: string): void {
    finished.add(jobId);
    if (finished.size > rememberedJobs) finished.delete(finished.values().next().value as string);
  }

  /**
   * Shows an outcome in the job's status message (`statusTs`), or posts it when there is none (in the
   * job's thread, or `threadTs`); as an outcome call, tried a few times on failures other than 429s.
   */
  async function showOutcome(origin: Origin, statusTs: string | undefined, body: MessageBody, threadTs = origin.threadId): Promise<void> {
    const channel = origin.channelId;
    if (!channel) return;
    const place = { workspace: origin.communityId, channel };
    if (statusTs === undefined) {
      await pacing.outcome('chat.postMessage', place, () =>
        client.chat.postMessage({ channel, text: body.text, blocks: body.blocks, ...(threadTs ? { thread_ts: threadTs } : {}) }),
      );
      return;
    }
    for (let attempt = 1; ; attempt += 1) {
      try {
        await pacing.outcome('chat.update', place, () => client.chat.update({ channel, ts: statusTs, text: body.text, blocks: body.blocks }));
        return;
      } catch (error) {
        if (attempt >= 3 || slackErrorCode(error) === 'message_not_found') {
          logger.warn({ err: error, channel, ts: statusTs }, 'could not edit the status message');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 300 * attempt));
      }
    }
  }

  /** The status message once the image is posted: done, the credits, and the buttons. */
  function doneBody(origin: Origin, outcome: Omit<JobResult, 'image'>): MessageBody {
    return statusMessage(lineFromSummary(outcome.summary, origin, slackText.stateDone(outcome.elapsedMs)), {
      context: slackText.credits(outcome.cost, outcome.balance),
      buttons: { jobId: outcome.summary.jobId, labels: slackText.buttons, canUpscale: outcome.canUpscale },
    });
  }

  /** Posts the image into the status message's thread, then ends the status message with the buttons. */
  async function deliverUnderStatus(origin: Origin, result: JobResult, statusTs: string): Promise<DeliveryReceipt> {
    const fileId = await uploadResult(
      pacing,
      {
        channelId: origin.channelId as string,
        workspace: origin.communityId,
        threadTs: origin.threadId ?? statusTs,
        comment: slackText.resultComment(slackUserIdOf(result.summary.requesterKey)),
        altText: slackText.altText(result.summary.prompt),
        jobId: result.summary.jobId,
      },
      result.image,
      uploadLimit,
      logger,
    );
    // The image is out; a final edit that has to wait for chat.update's budget does so without holding up the runner.
    await endings.run(() => showOutcome(origin, statusTs, doneBody(origin, result)), { jobId: result.summary.jobId });
    // The file id is what a later remix needs to fetch this result again (files.info).
    return { messageId: fileId ?? statusTs };
  }

  /**
   * The result of a job whose status message was never posted (a burst in one channel used up Slack's
   * budget for new messages, and results do not wait for it): the image goes first, carrying the status
   * line, and the credits and buttons follow in its thread (or the job's thread) when the channel's
   * budget allows another message.
   */
  async function deliverWithoutStatus(origin: Origin, result: JobResult): Promise<DeliveryReceipt> {
    const channelId = origin.channelId as string;
    const { summary } = result;
    const fileId = await uploadResult(
      pacing,
      {
        channelId,
        workspace: origin.communityId,
        threadTs: origin.threadId,
        comment: lineFromSummary(summary, origin, slackText.stateDone(result.elapsedMs)),
        altText: slackText.altText(summary.prompt),
        jobId: summary.jobId,
      },
      result.image,
      uploadLimit,
      logger,
    );
    await endings.run(async () => {
      const threadTs = origin.threadId ?? (fileId === undefined ? undefined : await sharedMessageTs(pacing, { fileId, channelId, workspace: origin.communityId }, clock));
      await showOutcome(origin, undefined, doneBody(origin, result), threadTs);
    }, { jobId: summary.jobId });
    return { messageId: fileId ?? summary.jobId };
  }

  return {
    platform: 'slack',
    ...(options.resumeIntake ? { resumeIntake: options.resumeIntake } : {}),

    async progress(origin, progress) {
      const { jobId } = progress.summary;
      if (finished.has(jobId)) return;
      const cancel = { jobId, label: slackText.buttons.cancel };
      statuses.show(origin, jobId, statusMessage(lineFromSummary(progress.summary, origin, progressState(progress)), { cancel }));
    },

    async deliver(origin, result): Promise<DeliveryReceipt> {
      if (!origin.channelId) throw new BotError('platform_failed', 'The job has no Slack channel to post to', { retryable: false });
      const { jobId } = result.summary;
      markFinished(jobId);
      const statusTs = await statuses.settle(origin, jobId);
      return statusTs === undefined ? deliverWithoutStatus(origin, result) : deliverUnderStatus(origin, result, statusTs);
    },

    async confirmDelivered(origin, outcome) {
      const { jobId } = outcome.summary;
      markFinished(jobId);
      const statusTs = await statuses.settle(origin, jobId);
      await showOutcome(origin, statusTs, doneBody(origin, outcome));
    },

    async fail(origin, failure: JobFailure) {
      const { summary, error } = failure;
      markFinished(summary.jobId);
      const statusTs = await statuses.settle(origin, summary.jobId);
      const body = statusMessage(lineFromSummary(summary, origin, slackText.stateFailed), {
        context: `${slackText.failure(error.code, error.message)} ${slackText.refund(failure.refunded)}`,
        ...(error.retryable ? { retry: { jobId: summary.jobId, label: slackText.buttons.tryAgain } } : {}),
      });
      await showOutcome(origin, statusTs, body);
    },

    abandoned(_origin, jobId) {
      statuses.forget(jobId);
    },

    async cancelled(origin, notice) {
      const { summary } = notice;
      // From here on no late progress report of this process touches the message, and none still queued goes out.
      markFinished(summary.jobId);
      const statusTs = await statuses.settle(origin, summary.jobId);
      // A name in plain text rather than a mention: this may be a new post, and a mention in one notifies.
      const canceller = await options.users?.lookUp(notice.cancelledByUserId, origin.communityId);
      const body = statusMessage(lineFromSummary(summary, origin, slackText.stateCancelled), {
        context: communityText.cancel.cancelledBy(canceller?.name, notice.byRequester, notice.refunded),
      });
      await showOutcome(origin, statusTs, body);
    },

    async interrupted(origin, notice) {
      const channel = origin.channelId;
      if (!channel) return;
      const body = statusMessage(slackText.interrupted(notice.prompt));
      const place = { workspace: origin.communityId, channel };
      try {
        if (origin.messageId) {
          const ts = origin.messageId;
          try {
            await pacing.outcome('chat.update', place, () => client.chat.update({ channel, ts, text: body.text, blocks: body.blocks }));
            return;
          } catch (error) {
            if (slackErrorCode(error) !== 'message_not_found') throw error;
          }
        }
        // The status message is gone: say it where it was, in its thread, or in the channel when it was the thread's parent.
        const threadTs = origin.threadId && origin.threadId !== origin.messageId ? origin.threadId : undefined;
        await pacing.outcome('chat.postMessage', place, () =>
          client.chat.postMessage({ channel, text: body.text, blocks: body.blocks, ...(threadTs ? { thread_ts: threadTs } : {}) }),
        );
      } catch (error) {
        const code = slackErrorCode(error);
        // Anything else (network, Slack itself failing) is thrown, so recovery keeps the intake and tries on the next start.
        if (code === undefined || !unreachableChannelErrors.has(code)) throw error;
        logger.warn({ err: error, channel, ts: origin.messageId, code }, 'could not end an interrupted request; the channel is out of reach');
      }
    },

    findDelivered: (origin, jobId) => findPostedResult({ pacing, statuses, logger }, origin, jobId),

    async stop() {
      const left = await endings.drain(endingsDrainMs);
      if (left > 0) logger.warn({ left }, 'stopped before every posted result had its buttons');
    },
  };
}
