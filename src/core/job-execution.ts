// Drives one leased job from whatever state it is in to delivered or failed, persisting every step under its lease.
import type { Dispatcher } from 'undici';
import type { Logger } from '../log.ts';
import type { BotMetrics } from './bot-metrics.ts';
import type { Clock } from './clock.ts';
import type { Delivery, JobProgress, JobResult } from './delivery.ts';
import { BotError, toBotError } from './errors.ts';
import { awaitTask, fetchResultImage, submitRequest } from './generation-steps.ts';
import { extensionFor } from './image-type.ts';
import { deliverOnce } from './deliver-once.ts';
import { keptCopyOf } from './kept-copy.ts';
import { trackInFlight, type InFlightTracker } from './in-flight-tracker.ts';
import { settleRefund, submitJob, type AcceptedJob, type SubmissionSettings } from './job-submission.ts';
import type { ClaimedJob, JobLease, JobRecord, JobStore, QuotaLedger, StoredResult } from './job-store.ts';
import type { LeaseKeeper } from './lease-keeper.ts';
import { summarize } from './job-view.ts';
import type { PollScheduler } from './poll-scheduler.ts';
import { ProgressThrottle } from './progress-throttle.ts';
import type { Semaphore } from './semaphore.ts';
import type { ImageProvider, ProviderRequest, ResultImage } from './provider.ts';
import type { Platform, ProviderId } from './request.ts';

/** Everything a job needs while it runs; owned by the runner. */
export interface ExecutionContext {
  store: JobStore & QuotaLedger;
  providerFor(id: ProviderId): ImageProvider | undefined;
  deliveryFor(platform: Platform): Delivery | undefined;
  scheduler: PollScheduler;
  /** The leases this process holds: checked before every message the job sends. */
  leases: LeaseKeeper;
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
  /** Aborted when the runner stops: jobs then stay as they are in the store, for the next process to continue. */
  signal: AbortSignal;
  /** Delivery attempts before a job fails with `platform_failed`. */
  deliveryAttempts: number;
  /** Where jobs, provider calls and credits are counted (no ids ever reach it). */
  metrics: BotMetrics;
  /** Failover (PROVIDER_FALLBACKS, cool-downs, caps) and prices for create calls (see job-submission.ts). */
  submission: SubmissionSettings;
  /** Largest copy of the posted image kept for `/show` (SHOW_IMAGE_MAX_MB); 0 keeps none. */
  keptImageMaxBytes: number;
  /** Records a provider's content refusal in the moderation log. */
  recordRefusal(job: JobRecord, reason: string): Promise<void>;
}

/** Least time between two progress writes of one job. */
const progressWriteIntervalMs = 5000;

function toStoredResult(image: ResultImage): StoredResult {
  return 'url' in image ? { url: image.url } : { data: image.data, mimeType: image.mimeType };
}

function fromStoredResult(result: StoredResult | null): ResultImage[] {
  if (result?.url) return [{ url: result.url }];
  if (result?.data && result.mimeType) return [{ data: result.data, mimeType: result.mimeType }];
  throw new BotError('internal', 'The stored result of this job is missing');
}

/** Sends the create call, counting how long it took and how it ended (a synchronous answer is a found result). */
async function timedSubmit(context: ExecutionContext, provider: ImageProvider, request: ProviderRequest, signal: AbortSignal) {
  const startedAt = context.clock.now();
  const seconds = () => (context.clock.now() - startedAt) / 1000;
  try {
    const outcome = await submitRequest(provider, request, signal);
    context.metrics.providerCallTimed(provider.id, 'submit', seconds(), 'ok');
    if (outcome.kind === 'completed') context.metrics.taskCompleted(provider.id, seconds(), 0);
    return outcome;
  } catch (error) {
    context.metrics.providerCallTimed(provider.id, 'submit', seconds(), toBotError(error).code);
    throw error;
  }
}

/** Gets the provider's images for a job that is queued, submitted or running. */
async function obtainImages(
  context: ExecutionContext,
  job: JobRecord,
  lease: JobLease,
  provider: ImageProvider,
  signals: { any: AbortSignal; lease: AbortSignal },
  report: (progress: Omit<JobProgress, 'summary' | 'elapsedMs'>) => void,
  inFlight: InFlightTracker,
  onAccepted: (accepted: AcceptedJob) => void,
): Promise<ResultImage[]> {
  const signal = signals.any;
  const { store, clock } = context;
  // Progress writes go one after another, so a late one can never land after the result.
  let progressWrites: Promise<void> = Promise.resolve();
  // The stored percentage is only for operators; the first "running" counts, then one write every few
  // seconds, so a thousand jobs polled every second do not each cost a database write per poll.
  let lastProgressWriteAt = Number.NEGATIVE_INFINITY;
  const onProgress = (update: { phase: 'queued' | 'running'; progress?: number }) => {
    if (update.phase === 'running') inFlight.moveTo('running');
    if (update.phase === 'running' && clock.now() - lastProgressWriteAt >= progressWriteIntervalMs) {
      lastProgressWriteAt = clock.now();
      progressWrites = progressWrites
        .then(() => store.markRunning(lease, update.progress ?? null, clock.now()))
        .catch((error: unknown) => context.logger.debug({ jobId: job.id, err: error }, 'could not record progress'));
    }
    report({ phase: update.phase === 'running' ? 'running' : 'submitted', ...(update.progress === undefined ? {} : { percent: update.progress }) });
  };
  if (job.state === 'queued' && job.submitStartedAt === null) {
    // A stop does not cut a create call short: its outcome would be unknown and the job would have to
    // fail. It finishes (bounded by the provider's timeout), the task id is stored, and the next process polls it.
    const submit = (chosen: ImageProvider, request: ProviderRequest) => timedSubmit(context, chosen, request, signals.lease);
    const accepted = await submitJob({ ...context, settings: context.submission, submit, signal: signals.lease }, job, lease, provider);
    onAccepted(accepted);
    const { outcome } = accepted;
    if (outcome.kind === 'completed') return outcome.images;
    inFlight.moveTo('submitted');
    report({ phase: 'submitted' });
    const images = await awaitTask(accepted.provider, outcome.task, {
      scheduler: context.scheduler,
      resolution: job.request.resolution,
      deadlineAt: outcome.task.submittedAt + context.deadlineMs,
      signal,
      onProgress,
      ...(outcome.hint === undefined ? {} : { hint: outcome.hint }),
    });
    await progressWrites;
    return images;
  }
  if (job.taskId === null) {
    // A create call was in flight when its process stopped: its outcome is unknown and sending it
    // again could make the provider charge twice, so the job fails and the user is refunded.
    throw new BotError('provider_failed', 'The bot restarted while this image was being generated');
  }
  const submittedAt = job.submittedAt ?? job.createdAt;
  const images = await awaitTask(
    provider,
    { providerId: job.provider, taskId: job.taskId, model: job.model, submittedAt },
    { scheduler: context.scheduler, resolution: job.request.resolution, deadlineAt: submittedAt + context.deadlineMs, signal, onProgress },
  );
  await progressWrites;
  return images;
}

/** True when the job must stop without a word: this process lost its lease, or it is stopping. */
function isQuietStop(context: ExecutionContext, error: unknown, signal: AbortSignal): boolean {
  if (context.signal.aborted) return true;
  if (signal.aborted) return true;
  return toBotError(error).code === 'lease_lost';
}

/**
 * Runs a claimed job to its end. Never throws: failures are stored, refunded and reported to the
 * user. A job whose lease is lost (another process took it over) or whose process is stopping is
 * left exactly as stored, without a word to the user: its new owner continues it.
 */
export async function executeJob(context: ExecutionContext, claimed: ClaimedJob, leaseSignal: AbortSignal): Promise<void> {
  const { store, clock, logger, leases } = context;
  const signal = AbortSignal.any([context.signal, leaseSignal]);
  const { lease } = claimed;
  // A job that fails over moves to the provider that accepted it (and its summary names that one).
  let { job } = claimed;
  const jobId = job.id;
  const delivery = context.deliveryFor(job.origin.platform);
  let provider = context.providerFor(job.provider);
  let summary = summarize(job);
  const onAccepted = (accepted: AcceptedJob) => {
    ({ job, provider } = accepted);
    summary = summarize(job);
  };
  const log = logger.child({ jobId, provider: job.provider, epoch: lease.epoch });
  const throttle = new ProgressThrottle<JobProgress>(clock, context.progressIntervalMs, async (progress) => {
    // A stale process must never overwrite the message its successor already ended.
    if (!leases.holds(jobId) || signal.aborted) return;
    try {
      await delivery?.progress(job.origin, progress);
    } catch (error) {
      log.warn({ err: error }, 'progress update failed');
    }
  });
  const report = (progress: Omit<JobProgress, 'summary' | 'elapsedMs'>) =>
    throttle.push({ ...progress, summary, elapsedMs: clock.now() - job.createdAt });
  const { metrics } = context;
  const inFlight = trackInFlight(metrics, job.state);
  const delivered = () => {
    metrics.jobFinished(job.provider, 'delivered');
    metrics.credits('committed', job.cost);
  };

  try {
    if (!delivery) throw new BotError('internal', `No delivery is registered for ${job.origin.platform}`);
    const startedAt = job.submittedAt ?? job.createdAt;
    if (claimed.takenOver && job.state !== 'succeeded' && clock.now() - startedAt > context.deadlineMs) {
      const minutes = Math.round(context.deadlineMs / 60_000);
      throw new BotError('provider_timeout', `No result within ${minutes} minutes (the bot was offline)`);
    }
    let images: ResultImage[];
    if (job.state === 'succeeded') {
      images = fromStoredResult(job.result);
    } else {
      if (!provider) throw new BotError('invalid_request', `The provider ${job.provider} is no longer configured`);
      images = await obtainImages(context, job, lease, provider, { any: signal, lease: leaseSignal }, report, inFlight, onAccepted);
      const first = images[0];
      if (first === undefined) throw new BotError('provider_failed', 'The provider reported success but returned no image');
      await store.markSucceeded(lease, toStoredResult(first), clock.now());
      inFlight.moveTo('succeeded');
    }

    const model = provider?.capabilities.models.find((candidate) => candidate.id === job.model);
    const outcome = async (): Promise<Omit<JobResult, 'image'>> => ({
      summary,
      cost: job.cost,
      balance: await store.balance(job.requesterKey, clock.now()),
      canUpscale: job.request.resolution !== '4K' && (model?.resolutions.includes('4K') ?? false),
      elapsedMs: clock.now() - job.createdAt,
    });

    const existing = job.state === 'succeeded' ? await delivery.findDelivered?.(job.origin, job.id) : undefined;
    if (existing) {
      await throttle.close();
      // Its previous owner posted the image but died before ending the pending message: end it now.
      if (delivery.confirmDelivered) {
        leases.assertHolds(job.id);
        await delivery.confirmDelivered(job.origin, { ...(await outcome()), receipt: existing });
      }
      await store.markDelivered(lease, existing.messageId, clock.now());
      delivered();
      return;
    }
    const shown = await outcome();
    // The slot covers the image's whole time in memory (download, post, record), not only the
    // download: that is what bounds memory when hundreds of results finish together.
    const elapsedMs = await context.downloadSlots.run(async () => {
      const image = await fetchResultImage(images, {
        outputFormat: job.request.outputFormat,
        ...context.download,
        signal,
        onDownloaded: (bytes) => metrics.resultDownloaded(job.provider, bytes),
      });
      await throttle.close();
      const result: JobResult = { ...shown, image: { ...image, filename: `nano-imagine-${job.id}.${extensionFor(image.mimeType)}` } };
      const receipt = await deliverOnce(context, delivery, job, result, signal);
      const kept = await keptCopyOf(image, context.keptImageMaxBytes).catch((error: unknown) => {
        log.warn({ err: error }, 'could not keep a copy of the image for /show');
        return undefined;
      });
      await store.markDelivered(lease, receipt.messageId, clock.now(), kept);
      delivered();
      return result.elapsedMs;
    });
    log.info({ elapsedMs }, 'job delivered');
  } catch (error) {
    await throttle.close();
    if (isQuietStop(context, error, signal)) {
      log.info({ reason: toBotError(error).code }, 'leaving the job to the next owner');
      // Not on a stop of this process: its queued edits are still welcome until it exits.
      if (!context.signal.aborted) delivery?.abandoned?.(job.origin, jobId);
      return;
    }
    const failure = toBotError(error);
    log.warn({ code: failure.code, err: error }, 'job failed');
    let refunded: number;
    try {
      await settleRefund(context, provider, lease, failure);
      ({ refunded } = await store.markFailed(lease, failure.toJSON(), clock.now()));
    } catch (storeError) {
      // Lost the lease meanwhile (or the database is gone): the job's new owner ends it.
      log.warn({ err: storeError }, 'could not record the failure');
      return;
    }
    metrics.jobFinished(job.provider, failure.code);
    metrics.credits('refunded', refunded);
    if (failure.code === 'content_refused') {
      await context.recordRefusal(job, failure.message).catch((recordError: unknown) => log.warn({ err: recordError }, 'could not record the refusal'));
    }
    if (!leases.holds(jobId)) return;
    try {
      await delivery?.fail(job.origin, { summary, error: failure.toJSON(), refunded });
    } catch (deliveryError) {
      log.error({ err: deliveryError }, 'could not tell the user about the failure');
    }
  } finally {
    inFlight.release();
  }
}
