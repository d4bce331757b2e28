// Drives one stored job from whatever state it is in to delivered or failed, persisting every step.
import type { Dispatcher } from 'undici';
import type { Logger } from '../log.ts';
import type { Clock } from './clock.ts';
import { sleep } from './clock.ts';
import type { Delivery, DeliveryReceipt, JobProgress, JobResult } from './delivery.ts';
import { BotError, toBotError } from './errors.ts';
import { awaitTask, fetchResultImage, submitRequest } from './generation-steps.ts';
import { extensionFor } from './image-type.ts';
import type { JobQueue } from './job-queue.ts';
import type { JobRecord, JobStore, QuotaLedger, StoredResult } from './job-store.ts';
import { summarize, toProviderRequest } from './job-view.ts';
import type { PollScheduler } from './poll-scheduler.ts';
import { ProgressThrottle } from './progress-throttle.ts';
import type { Semaphore } from './semaphore.ts';
import type { ImageProvider, ResultImage } from './provider.ts';
import type { Platform, ProviderId } from './request.ts';

/** Everything a job needs while it runs; owned by the runner. */
export interface ExecutionContext {
  store: JobStore & QuotaLedger;
  providerFor(id: ProviderId): ImageProvider | undefined;
  deliveryFor(platform: Platform): Delivery | undefined;
  scheduler: PollScheduler;
  queue: JobQueue;
  clock: Clock;
  logger: Logger;
  deadlineMs: number;
  progressIntervalMs: number;
  download: { dispatcher?: Dispatcher; timeoutMs: number; maxBytes: number };
  /**
   * Result downloads at once. When many tasks finish together (a burst of 2 MB images), holding
   * them all in memory at the same time is what drives peak memory, not the jobs waiting.
   */
  downloadSlots: Semaphore;
  /** Aborted when the runner stops: jobs then stay as they are in SQLite, to resume after a restart. */
  signal: AbortSignal;
  /** Delivery attempts before a job fails with `platform_failed`. */
  deliveryAttempts: number;
}

function toStoredResult(image: ResultImage): StoredResult {
  return 'url' in image ? { url: image.url } : { data: image.data, mimeType: image.mimeType };
}

function fromStoredResult(result: StoredResult | null): ResultImage[] {
  if (result?.url) return [{ url: result.url }];
  if (result?.data && result.mimeType) return [{ data: result.data, mimeType: result.mimeType }];
  throw new BotError('internal', 'The stored result of this job is missing');
}

/** Gets the provider's images for a job that is queued, submitted or running. */
async function obtainImages(
  context: ExecutionContext,
  job: JobRecord,
  provider: ImageProvider,
  report: (progress: Omit<JobProgress, 'summary' | 'elapsedMs'>) => void,
): Promise<ResultImage[]> {
  const { store, clock } = context;
  const onProgress = (update: { phase: 'queued' | 'running'; progress?: number }) => {
    if (update.phase === 'running') store.markRunning(job.id, update.progress ?? null, clock.now());
    report({ phase: update.phase === 'running' ? 'running' : 'submitted', ...(update.progress === undefined ? {} : { percent: update.progress }) });
  };
  if (job.state === 'queued') {
    const outcome = await submitRequest(provider, toProviderRequest(job.request), context.signal);
    if (outcome.kind === 'completed') {
      store.markSubmitted(job.id, null, clock.now());
      return outcome.images;
    }
    store.markSubmitted(job.id, outcome.task.taskId, clock.now());
    report({ phase: 'submitted' });
    return awaitTask(provider, outcome.task, {
      scheduler: context.scheduler,
      resolution: job.request.resolution,
      deadlineAt: outcome.task.submittedAt + context.deadlineMs,
      signal: context.signal,
      onProgress,
      ...(outcome.hint === undefined ? {} : { hint: outcome.hint }),
    });
  }
  if (job.taskId === null) {
    // A synchronous create was in flight when the bot stopped: its outcome is unknown and sending it
    // again could make the provider charge twice, so the job fails and the user is refunded.
    throw new BotError('provider_failed', 'The bot restarted while this image was being generated');
  }
  const submittedAt = job.submittedAt ?? job.createdAt;
  return awaitTask(
    provider,
    { providerId: job.provider, taskId: job.taskId, model: job.model, submittedAt },
    { scheduler: context.scheduler, resolution: job.request.resolution, deadlineAt: submittedAt + context.deadlineMs, signal: context.signal, onProgress },
  );
}

async function deliverOnce(context: ExecutionContext, delivery: Delivery, job: JobRecord, result: JobResult): Promise<DeliveryReceipt> {
  let lastError: BotError | undefined;
  for (let attempt = 1; attempt <= context.deliveryAttempts; attempt += 1) {
    if (attempt > 1) {
      // The previous attempt may have posted before failing; never post twice.
      const existing = await delivery.findDelivered?.(job.origin, job.id).catch(() => undefined);
      if (existing) return existing;
      await sleep(context.clock, 1000 * 2 ** (attempt - 2), context.signal);
    }
    try {
      return await delivery.deliver(job.origin, result);
    } catch (error) {
      lastError = toBotError(error, 'platform_failed');
      context.logger.warn({ jobId: job.id, attempt, err: error }, 'delivery failed');
      if (!lastError.retryable) break;
    }
  }
  throw lastError ?? new BotError('platform_failed', 'The result could not be posted');
}

/** Runs `jobId` to its end. Never throws: failures are stored, refunded and reported to the user. */
export async function executeJob(context: ExecutionContext, jobId: string): Promise<void> {
  const { store, clock, logger } = context;
  const job = store.get(jobId);
  if (!job) return;
  const delivery = context.deliveryFor(job.origin.platform);
  const provider = context.providerFor(job.provider);
  const summary = summarize(job);
  const log = logger.child({ jobId, provider: job.provider });
  const throttle = new ProgressThrottle<JobProgress>(clock, context.progressIntervalMs, async (progress) => {
    try {
      await delivery?.progress(job.origin, progress);
    } catch (error) {
      log.warn({ err: error }, 'progress update failed');
    }
  });
  const report = (progress: Omit<JobProgress, 'summary' | 'elapsedMs'>) =>
    throttle.push({ ...progress, summary, elapsedMs: clock.now() - job.createdAt });

  try {
    if (!delivery) throw new BotError('internal', `No delivery is registered for ${job.origin.platform}`);
    let images: ResultImage[];
    if (job.state === 'succeeded') {
      images = fromStoredResult(job.result);
    } else {
      if (!provider) throw new BotError('invalid_request', `The provider ${job.provider} is no longer configured`);
      images = await obtainImages(context, job, provider, report);
      const first = images[0];
      if (first === undefined) throw new BotError('provider_failed', 'The provider reported success but returned no image');
      store.markSucceeded(job.id, toStoredResult(first), clock.now());
    }
    context.queue.releaseProvider(job.id);

    const existing = job.state === 'succeeded' ? await delivery.findDelivered?.(job.origin, job.id) : undefined;
    if (existing) {
      store.markDelivered(job.id, existing.messageId, clock.now());
      await throttle.close();
      return;
    }
    const image = await context.downloadSlots.run(() =>
      fetchResultImage(images, { outputFormat: job.request.outputFormat, ...context.download, signal: context.signal }),
    );
    await throttle.close();
    const model = provider?.capabilities.models.find((candidate) => candidate.id === job.model);
    const result: JobResult = {
      summary,
      image: { ...image, filename: `nano-imagine-${job.id}.${extensionFor(image.mimeType)}` },
      cost: job.cost,
      balance: store.balance(job.requesterKey, clock.now()),
      canUpscale: job.request.resolution !== '4K' && (model?.resolutions.includes('4K') ?? false),
      elapsedMs: clock.now() - job.createdAt,
    };
    const receipt = await deliverOnce(context, delivery, job, result);
    store.markDelivered(job.id, receipt.messageId, clock.now());
    log.info({ elapsedMs: result.elapsedMs }, 'job delivered');
  } catch (error) {
    await throttle.close();
    if (context.signal.aborted) return; // Stopping: the job resumes from SQLite after the restart.
    const failure = toBotError(error);
    log.warn({ code: failure.code, err: error }, 'job failed');
    const { refunded } = store.markFailed(job.id, failure.toJSON(), clock.now());
    try {
      await delivery?.fail(job.origin, { summary, error: failure.toJSON(), refunded });
    } catch (deliveryError) {
      log.error({ err: deliveryError }, 'could not tell the user about the failure');
    }
  }
}
