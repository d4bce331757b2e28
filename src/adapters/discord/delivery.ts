// The Discord Delivery: progress edits from the paced budget (dropped, never queued, when refused), the result with its image and
// buttons as outcomes (first, waited out, never dropped), failures, cancels, interrupted requests.
import { Routes, type Client, type Message } from 'discord.js';
import type { PlatformMetrics } from '../../core/bot-metrics.ts';
import { systemClock, type Clock } from '../../core/clock.ts';
import { createBackgroundEndings } from '../../core/pacing/background-endings.ts';
import type { Delivery, DeliveryReceipt, JobCancelledNotice, JobFailure, JobProgress, JobResult } from '../../core/delivery.ts';
import type { StartedJob } from '../../core/imagine-service.ts';
import type { Origin } from '../../core/request.ts';
import type { Logger } from '../../log.ts';
import { createDiscordPacing } from './discord-pacing.ts';
import { text } from './messages.ts';
import { attachmentLimitOf } from './origin.ts';
import { statusRouteOf } from './rate-buckets.ts';
import {
  cancelButtons,
  renderCancelled,
  renderFailure,
  renderInterrupted,
  renderProgress,
  renderResult,
  type ProviderNames,
} from './render.ts';
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
  /** Where the decorative REST client's calls are counted. */
  metrics?: PlatformMetrics;
  clock?: Clock;
}

/** The Delivery plus what the adapter itself needs: the first status edit and shutdown. */
export interface DiscordDelivery extends Delivery {
  /** Always present on Discord: ends a pending message whose request cannot be finished. */
  interrupted(origin: Origin, notice: { prompt: string }): Promise<void>;
  /** Shows a just-started job's place in line, unless the runner already reported progress for it. */
  announce(origin: Origin, started: StartedJob): void;
  /** Drops unsent progress edits and stops pacing. */
  stop(): Promise<void>;
}

/** How long a stopping bot waits for old status messages still to be pointed at their results. */
const endingsDrainMs = 10_000;

/** Finished or reported job ids remembered, so a late report never overwrites a result. */
const rememberedJobs = 2000;

function holdsResult(message: Message, jobId: string): boolean {
  return message.attachments.size > 0 && message.content.includes(jobId);
}

/** A bounded set: the oldest ids are forgotten first. */
function remember(set: Set<string>, id: string): void {
  set.add(id);
  if (set.size > rememberedJobs) set.delete(set.values().next().value as string);
}

/** Creates the Delivery the runner reports Discord jobs through. */
export function createDiscordDelivery(options: DiscordDeliveryOptions): DiscordDelivery {
  const { client, names, logger } = options;
  const clock = options.clock ?? systemClock;
  const pacing = createDiscordPacing({
    client,
    logger,
    clock,
    ...(options.progressIntervalMs === undefined ? {} : { progressIntervalMs: options.progressIntervalMs }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  });
  const { pacer, decorativeRest } = pacing;
  const endings = createBackgroundEndings(logger);
  const finished = new Set<string>();
  const reported = new Set<string>();
  const keyOf = (jobId: string) => `discord:${jobId}`;

  /**
   * Offers `update` as the newest state of the job's pending message. It is rendered when it is sent
   * (the elapsed time then is the time of sending), through the interaction token while it lives, through
   * the channel afterwards; a refusal drops it.
   */
  function showProgress(origin: Origin, update: JobProgress): void {
    const jobId = update.summary.jobId;
    const route = statusRouteOf(origin, clock.now());
    if (route === undefined || (!route.throughToken && origin.messageId === undefined)) return;
    const offeredAt = clock.now();
    const send = async () => {
      const content = renderProgress({ ...update, elapsedMs: update.elapsedMs + clock.now() - offeredAt }, names);
      // Every pending message offers Cancel while its job waits or runs; the ending replaces the row.
      const body = { content, components: [cancelButtons(jobId).toJSON()], allowed_mentions: { parse: [], replied_user: false } };
      const interaction = origin.interaction;
      if (route.throughToken && interaction !== undefined) {
        await decorativeRest.patch(Routes.webhookMessage(interaction.applicationId, interaction.token, '@original'), { body, auth: false });
      } else if (origin.channelId !== undefined && origin.messageId !== undefined) {
        await decorativeRest.patch(Routes.channelMessage(origin.channelId, origin.messageId), { body });
      }
    };
    pacer.decorate(keyOf(jobId), { buckets: route.buckets, route: route.route, essential: false, send });
  }

  /** Runs `send` as an outcome on the status message's route: ahead of progress edits there, never dropped. */
  function outcome<Result>(origin: Origin, send: () => Promise<Result>): Promise<Result> {
    const route = statusRouteOf(origin, clock.now());
    return route === undefined ? send() : pacer.outcome({ buckets: route.buckets, route: route.route, send });
  }

  /** Ends progress for `jobId`: drops its unsent edits and waits for one in flight, so the final message is written last. */
  async function finish(jobId: string): Promise<void> {
    remember(finished, jobId);
    await pacer.settle(keyOf(jobId));
  }

  async function progress(origin: Origin, update: JobProgress): Promise<void> {
    const jobId = update.summary.jobId;
    if (finished.has(jobId)) return;
    remember(reported, jobId);
    showProgress(origin, update);
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
        outcome(origin, () => postInChannel(client, origin, { content, components, files: [file] }, origin.messageId ?? origin.replyToMessageId)),
      );
      // The image is out; pointing the old message at it waits for the channel's budget without holding up the runner.
      await endings.run(() => outcome(origin, () => editStatus(client, origin, { content: text.deliveredBelow, components: [] }, now)).then(() => undefined), { jobId });
      return { messageId: sent.id };
    }
    const { sent } = await uploadWithinLimit(result.image, limit, (file) =>
      outcome(origin, () => editStatus(client, origin, { content, components, files: [file] }, now)),
    );
    return { messageId: sent.id };
  }

  async function fail(origin: Origin, failure: JobFailure): Promise<void> {
    await finish(failure.summary.jobId);
    const { content, components } = renderFailure(failure, names);
    await outcome(origin, () => editStatus(client, origin, { content, components }, clock.now()));
  }

  async function cancelled(origin: Origin, notice: JobCancelledNotice): Promise<void> {
    // Unsent progress edits are dropped first, so "Cancelled" is the last thing the message says.
    await finish(notice.summary.jobId);
    const content = renderCancelled(notice, names);
    await outcome(origin, () => editStatus(client, origin, { content, components: [] }, clock.now()));
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
      await outcome(target, () => editStatus(client, target, { content: renderInterrupted(notice.prompt), components: [] }, now));
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
    if (started.duplicate || finished.has(started.jobId) || reported.has(started.jobId)) return;
    showProgress(origin, {
      summary: started.summary,
      phase: 'queued',
      ...(started.queuePosition === undefined ? {} : { queuePosition: started.queuePosition }),
      ...(started.queueReason === undefined ? {} : { queueReason: started.queueReason }),
      elapsedMs: 0,
    });
  }

  async function stop(): Promise<void> {
    const left = await endings.drain(endingsDrainMs);
    if (left > 0) logger.warn({ left }, 'stopped before every old status message pointed at its result');
    await pacing.stop();
  }

  return { platform: 'discord', progress, deliver, fail, cancelled, abandoned: (_origin, jobId) => void pacer.settle(keyOf(jobId)), interrupted, findDelivered, announce, stop };
}
