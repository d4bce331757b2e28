// The Discord Delivery: progress edits (throttled, serialized), the result with its image and buttons, failures, interrupted requests.
import type { Client, Message } from 'discord.js';
import { systemClock, type Clock } from '../../core/clock.ts';
import type { Delivery, DeliveryReceipt, JobFailure, JobProgress, JobResult } from '../../core/delivery.ts';
import type { StartedJob } from '../../core/imagine-service.ts';
import { ProgressThrottle } from '../../core/progress-throttle.ts';
import type { Origin } from '../../core/request.ts';
import type { Logger } from '../../log.ts';
import { text } from './messages.ts';
import { attachmentLimitOf } from './origin.ts';
import { renderFailure, renderInterrupted, renderProgress, renderResult, type ProviderNames } from './render.ts';
import {
  editStatus,
  fetchStatus,
  findPendingReply,
  interactionUsable,
  isPermanentRefusal,
  messagesAfterStatus,
  postInChannel,
} from './status-message.ts';
import { uploadWithinLimit } from './upload-fit.ts';

export interface DiscordDeliveryOptions {
  client: Client;
  names: ProviderNames;
  logger: Logger;
  /** Least time between two progress edits of one message (Discord-friendly default: 3 s). */
  progressIntervalMs?: number;
  clock?: Clock;
}

/** The Delivery plus what the adapter itself needs: the first status edit and shutdown. */
export interface DiscordDelivery extends Delivery {
  /** Always present on Discord: ends a pending message whose request cannot be finished. */
  interrupted(origin: Origin, notice: { prompt: string }): Promise<void>;
  /** Shows a just-started job's place in line, unless the runner already reported progress for it. */
  announce(origin: Origin, started: StartedJob): void;
  /** Cancels pending progress edits. */
  stop(): Promise<void>;
}

/** Finished job ids remembered so a late progress report never overwrites a result. */
const rememberedFinishedJobs = 2000;

function holdsResult(message: Message, jobId: string): boolean {
  return message.attachments.size > 0 && message.content.includes(jobId);
}

/** Creates the Delivery the runner reports Discord jobs through. */
export function createDiscordDelivery(options: DiscordDeliveryOptions): DiscordDelivery {
  const { client, names, logger } = options;
  const clock = options.clock ?? systemClock;
  const intervalMs = options.progressIntervalMs ?? 3000;
  const throttles = new Map<string, ProgressThrottle<JobProgress>>();
  const finished = new Set<string>();

  function throttleFor(origin: Origin, jobId: string): ProgressThrottle<JobProgress> {
    let throttle = throttles.get(jobId);
    if (throttle === undefined) {
      throttle = new ProgressThrottle<JobProgress>(clock, intervalMs, async (progress) => {
        try {
          await editStatus(client, origin, { content: renderProgress(progress, names), components: [] }, clock.now());
        } catch (error) {
          logger.warn({ jobId, err: error }, 'progress edit failed');
        }
      });
      throttles.set(jobId, throttle);
    }
    return throttle;
  }

  /** Ends progress for `jobId` and waits for an edit in flight, so the final message is written last. */
  async function finish(jobId: string): Promise<void> {
    finished.add(jobId);
    if (finished.size > rememberedFinishedJobs) {
      const oldest = finished.values().next().value;
      if (oldest !== undefined) finished.delete(oldest);
    }
    const throttle = throttles.get(jobId);
    throttles.delete(jobId);
    await throttle?.close();
  }

  async function progress(origin: Origin, update: JobProgress): Promise<void> {
    const jobId = update.summary.jobId;
    if (finished.has(jobId)) return;
    throttleFor(origin, jobId).push(update);
  }

  async function deliver(origin: Origin, result: JobResult): Promise<DeliveryReceipt> {
    const jobId = result.summary.jobId;
    await finish(jobId);
    const { content, components } = renderResult(result, names);
    const limit = attachmentLimitOf(origin);
    const now = clock.now();
    if (origin.interaction !== undefined && !interactionUsable(origin, now)) {
      // The interaction token has expired: post the image as a new reply in the channel with the bot
      // token (more visible after a long wait), then point the old status message at it.
      const { sent } = await uploadWithinLimit(result.image, limit, (file) =>
        postInChannel(client, origin, { content, components, files: [file] }, origin.messageId ?? origin.replyToMessageId),
      );
      await editStatus(client, origin, { content: text.deliveredBelow, components: [] }, now).catch((error: unknown) =>
        logger.warn({ jobId, err: error }, 'could not update the old status message'),
      );
      return { messageId: sent.id };
    }
    const { sent } = await uploadWithinLimit(result.image, limit, (file) =>
      editStatus(client, origin, { content, components, files: [file] }, now),
    );
    return { messageId: sent.id };
  }

  async function fail(origin: Origin, failure: JobFailure): Promise<void> {
    await finish(failure.summary.jobId);
    const { content, components } = renderFailure(failure, names);
    await editStatus(client, origin, { content, components }, clock.now());
  }

  async function interrupted(origin: Origin, notice: { prompt: string }): Promise<void> {
    const now = clock.now();
    if (origin.channelId === undefined && !interactionUsable(origin, now)) {
      logger.warn({ interactionId: origin.interaction?.id }, 'an interrupted request has no usable token and no channel; it cannot be ended');
      return;
    }
    // A pending message's id is only recorded with the job, so it is looked up here: with the token
    // expired, the channel edit then ends the "thinking…" reply instead of posting beside it.
    const messageId = origin.messageId ?? (await findPendingReply(client, origin));
    const target = messageId === undefined ? origin : { ...origin, messageId };
    try {
      await editStatus(client, target, { content: renderInterrupted(notice.prompt), components: [] }, now);
    } catch (error) {
      // Transient failures are thrown so recovery tries again on the next start; permanent ones
      // (the channel or message is gone, access was removed) would fail the same way forever.
      if (!isPermanentRefusal(error)) throw error;
      logger.warn({ interactionId: origin.interaction?.id, err: error }, 'Discord refused the message ending an interrupted request');
    }
  }

  async function findDelivered(origin: Origin, jobId: string): Promise<DeliveryReceipt | undefined> {
    const status = await fetchStatus(client, origin, clock.now());
    if (status && holdsResult(status, jobId)) return { messageId: status.id };
    const later = await messagesAfterStatus(client, origin);
    const posted = later.find((message) => message.author.id === client.user?.id && holdsResult(message, jobId));
    return posted ? { messageId: posted.id } : undefined;
  }

  function announce(origin: Origin, started: StartedJob): void {
    if (started.duplicate || finished.has(started.jobId) || throttles.has(started.jobId)) return;
    throttleFor(origin, started.jobId).push({
      summary: started.summary,
      phase: 'queued',
      ...(started.queuePosition === undefined ? {} : { queuePosition: started.queuePosition }),
      ...(started.queueReason === undefined ? {} : { queueReason: started.queueReason }),
      elapsedMs: 0,
    });
  }

  async function stop(): Promise<void> {
    const pending = [...throttles.values()];
    throttles.clear();
    await Promise.all(pending.map((throttle) => throttle.close()));
  }

  return { platform: 'discord', progress, deliver, fail, interrupted, findDelivered, announce, stop };
}
