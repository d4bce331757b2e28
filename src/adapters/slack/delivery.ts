// Slack's Delivery: edits the status message with progress, uploads results into the thread, explains failures,
// and finishes (or, when it cannot, ends) the requests a process stopped on before they became jobs.
import type { WebClient } from '@slack/web-api';
import type { Delivery, DeliveryReceipt, JobFailure, JobProgress, JobResult } from '../../core/delivery.ts';
import type { Intake } from '../../core/job-store.ts';
import { BotError } from '../../core/errors.ts';
import { fitImageToLimit } from '../../core/fit-image.ts';
import { extensionFor } from '../../core/image-type.ts';
import type { Origin } from '../../core/request.ts';
import type { Logger } from '../../log.ts';
import { statusMessage, type MessageBody } from './blocks.ts';
import { slackText } from './messages.ts';
import { readMessage, slackErrorCode } from './slack-payloads.ts';
import { lineFromSummary, slackUserIdOf } from './status-line.ts';

/**
 * Largest image posted as is. Slack accepts far bigger files, but beyond this size previews render
 * slowly and phones download for a long time; a re-encoded JPEG of the same picture is then the better post.
 */
export const defaultUploadLimitBytes = 25_000_000;

/** The Web API client, a logger, and the adapter's limits. */
export interface SlackDeliveryOptions {
  client: WebClient;
  logger: Logger;
  /** Results larger than this are re-encoded to fit (default 25 MB). */
  uploadLimitBytes?: number;
  /** Least time between two progress edits of one message (default 3 s). */
  progressIntervalMs?: number;
  /** Finishes a request acknowledged by a process that died before its job existed (see `resumeSlackIntake`). */
  resumeIntake?: (intake: Intake) => Promise<void>;
}

/** Slack errors where trying the same upload again cannot help. */
const permanentUploadErrors = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'invalid_auth', 'missing_scope', 'not_authed']);

/** Slack errors meaning the channel cannot be written to any more: retrying on the next start cannot help either. */
const unreachableChannelErrors = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action', 'cant_update_message']);

/** Bounded memory of finished status messages, so a late progress edit never overwrites the outcome. */
const rememberedMessages = 5000;

function progressState(progress: JobProgress): string {
  if (progress.phase === 'queued') return slackText.stateQueued(progress.queuePosition, progress.queueReason);
  return slackText.stateGenerating(progress.percent);
}

function uploadedFileId(answer: unknown): string | undefined {
  const completions = (answer as { files?: Array<{ files?: Array<{ id?: string }> }> }).files;
  return completions?.[0]?.files?.[0]?.id;
}

/** Creates the Delivery the runner calls for jobs whose origin platform is `slack`. */
export function createSlackDelivery(options: SlackDeliveryOptions): Delivery {
  const { client, logger } = options;
  const uploadLimit = options.uploadLimitBytes ?? defaultUploadLimitBytes;
  const progressInterval = options.progressIntervalMs ?? 3000;
  const lastProgressAt = new Map<string, number>();
  const finished = new Set<string>();

  const keyOf = (origin: Origin) => (origin.channelId && origin.messageId ? `${origin.channelId}:${origin.messageId}` : undefined);

  function markFinished(origin: Origin): void {
    const key = keyOf(origin);
    if (key === undefined) return;
    lastProgressAt.delete(key);
    finished.add(key);
    if (finished.size > rememberedMessages) finished.delete(finished.values().next().value as string);
  }

  /** Edits the status message; the outcome matters, so it is tried a few times before giving up. */
  async function showOutcome(origin: Origin, body: MessageBody): Promise<void> {
    const channel = origin.channelId;
    if (!channel) return;
    if (!origin.messageId) {
      await client.chat.postMessage({ channel, text: body.text, blocks: body.blocks, ...(origin.threadId ? { thread_ts: origin.threadId } : {}) });
      return;
    }
    for (let attempt = 1; ; attempt += 1) {
      try {
        await client.chat.update({ channel, ts: origin.messageId, text: body.text, blocks: body.blocks });
        return;
      } catch (error) {
        if (attempt >= 3 || slackErrorCode(error) === 'message_not_found') {
          logger.warn({ err: error, channel, ts: origin.messageId }, 'could not edit the status message');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 300 * attempt));
      }
    }
  }

  async function upload(origin: Origin, result: JobResult): Promise<string | undefined> {
    let { data, mimeType } = result.image;
    let filename = result.image.filename;
    if (data.byteLength > uploadLimit) {
      const fitted = await fitImageToLimit(data, uploadLimit);
      ({ data, mimeType } = fitted);
      filename = filename.replace(/\.[a-z]+$/i, `.${extensionFor(mimeType)}`);
      logger.info({ jobId: result.summary.jobId, bytes: data.byteLength }, 're-encoded the result to fit the upload limit');
    }
    try {
      const channelId = origin.channelId as string;
      const content = {
        file: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
        filename,
        alt_text: slackText.altText(result.summary.prompt),
        initial_comment: slackText.resultComment(slackUserIdOf(result.summary.requesterKey)),
      };
      const answer = origin.threadId
        ? await client.files.uploadV2({ ...content, channel_id: channelId, thread_ts: origin.threadId })
        : await client.files.uploadV2({ ...content, channel_id: channelId });
      return uploadedFileId(answer);
    } catch (error) {
      const code = slackErrorCode(error);
      throw new BotError('platform_failed', `Slack did not take the upload${code ? ` (${code})` : ''}`, {
        cause: error,
        retryable: code === undefined || !permanentUploadErrors.has(code),
      });
    }
  }

  /** The status message once the image is in its thread: done, the credits, and the buttons. */
  function doneBody(origin: Origin, outcome: Omit<JobResult, 'image'>): MessageBody {
    return statusMessage(lineFromSummary(outcome.summary, origin, slackText.stateDone(outcome.elapsedMs)), {
      context: slackText.credits(outcome.cost, outcome.balance),
      buttons: { jobId: outcome.summary.jobId, labels: slackText.buttons, canUpscale: outcome.canUpscale },
    });
  }

  return {
    platform: 'slack',
    ...(options.resumeIntake ? { resumeIntake: options.resumeIntake } : {}),

    async progress(origin, progress) {
      const key = keyOf(origin);
      if (key === undefined || finished.has(key)) return;
      const now = Date.now();
      if (now - (lastProgressAt.get(key) ?? Number.NEGATIVE_INFINITY) < progressInterval) return;
      lastProgressAt.set(key, now);
      const body = statusMessage(lineFromSummary(progress.summary, origin, progressState(progress)));
      await client.chat.update({ channel: origin.channelId as string, ts: origin.messageId as string, text: body.text, blocks: body.blocks });
    },

    async deliver(origin, result): Promise<DeliveryReceipt> {
      if (!origin.channelId) throw new BotError('platform_failed', 'The job has no Slack channel to post to', { retryable: false });
      const fileId = await upload(origin, result);
      markFinished(origin);
      await showOutcome(origin, doneBody(origin, result));
      // The file id is what a later remix needs to fetch this result again (files.info).
      return { messageId: fileId ?? origin.messageId ?? result.summary.jobId };
    },

    async confirmDelivered(origin, outcome) {
      markFinished(origin);
      await showOutcome(origin, doneBody(origin, outcome));
    },

    async fail(origin, failure: JobFailure) {
      markFinished(origin);
      const { summary, error } = failure;
      const body = statusMessage(lineFromSummary(summary, origin, slackText.stateFailed), {
        context: `${slackText.failure(error.code, error.message)} ${slackText.refund(failure.refunded)}`,
        ...(error.retryable ? { retry: { jobId: summary.jobId, label: slackText.buttons.tryAgain } } : {}),
      });
      await showOutcome(origin, body);
    },

    async interrupted(origin, notice) {
      const channel = origin.channelId;
      if (!channel) return;
      const body = statusMessage(slackText.interrupted(notice.prompt));
      try {
        if (origin.messageId) {
          try {
            await client.chat.update({ channel, ts: origin.messageId, text: body.text, blocks: body.blocks });
            return;
          } catch (error) {
            if (slackErrorCode(error) !== 'message_not_found') throw error;
          }
        }
        // The status message is gone: say it where it was, in its thread, or in the channel when it was the thread's parent.
        const threadTs = origin.threadId && origin.threadId !== origin.messageId ? origin.threadId : undefined;
        await client.chat.postMessage({ channel, text: body.text, blocks: body.blocks, ...(threadTs ? { thread_ts: threadTs } : {}) });
      } catch (error) {
        const code = slackErrorCode(error);
        // Anything else (network, Slack itself failing) is thrown, so recovery keeps the intake and tries on the next start.
        if (code === undefined || !unreachableChannelErrors.has(code)) throw error;
        logger.warn({ err: error, channel, ts: origin.messageId, code }, 'could not end an interrupted request; the channel is out of reach');
      }
    },

    async findDelivered(origin, jobId) {
      if (!origin.channelId || !origin.threadId) return undefined;
      try {
        const answer = await client.conversations.replies({ channel: origin.channelId, ts: origin.threadId, limit: 200 });
        const prefix = `nano-imagine-${jobId}.`;
        for (const raw of answer.messages ?? []) {
          const file = readMessage(raw)?.files.find((candidate) => candidate.name.startsWith(prefix));
          if (file) return { messageId: file.id };
        }
      } catch (error) {
        logger.warn({ err: error, jobId }, 'could not look for an earlier post of this result');
      }
      return undefined;
    },
  };
}
