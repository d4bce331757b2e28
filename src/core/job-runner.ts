// The job runner: validates, reserves, persists and runs jobs within per-user and per-provider limits; resumes after a restart.
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Dispatcher } from 'undici';
import { operatorModelFor, type Config } from '../config.ts';
import { silentLogger, type Logger } from '../log.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Delivery, QuotaBalance } from './delivery.ts';
import { BotError, invalidRequest } from './errors.ts';
import { executeJob, type ExecutionContext } from './job-execution.ts';
import { JobQueue } from './job-queue.ts';
import { recoverJobs } from './job-recovery.ts';
import type { IntakeStore, JobRecord, JobStore, QuotaLedger } from './job-store.ts';
import { summarize, toJobView } from './job-view.ts';
import { createPollScheduler, type PollScheduler } from './poll-scheduler.ts';
import type { ImageProvider } from './provider.ts';
import { createQuotaPolicy } from './quota-policy.ts';
import { Semaphore } from './semaphore.ts';
import { requesterKey, type ImagineService, type JobView, type ProviderChoice, type StartedJob, type StartOptions } from './imagine-service.ts';
import { generationRequestSchema, type GenerationRequest, type Platform, type ProviderId, type Requester } from './request.ts';
import { validateRequest } from './validate-request.ts';

export interface JobRunnerOptions {
  store: JobStore & QuotaLedger & IntakeStore;
  /** Configured providers by id. */
  providers: ReadonlyMap<ProviderId, ImageProvider>;
  config: Pick<Config, 'defaultProvider' | 'defaultModel' | 'jobs' | 'quota'>;
  scheduler?: PollScheduler;
  clock?: Clock;
  logger?: Logger;
  /** Dispatcher for downloading result images (tests point it at loopback fakes). */
  downloadDispatcher?: Dispatcher;
  /** Minimum time between progress reports per job (default 3 s, the platforms' comfortable edit rate). */
  progressIntervalMs?: number;
  /** Largest result image accepted from a provider (default 50 MB). */
  maxResultBytes?: number;
  /** Result images downloaded at once (default 16); bounds memory when many tasks finish together. */
  maxConcurrentDownloads?: number;
  /** New job ids (default random UUIDs). */
  createJobId?: () => string;
}

export interface JobRunner extends ImagineService {
  /**
   * Restart recovery: queued jobs go back in line, submitted/running ones resume polling with their
   * stored task ids, succeeded ones are delivered, and old ones fail with a refund. Call it after
   * every adapter has registered its delivery. Also purges jobs past retention.
   */
  resume(): Promise<void>;
  /** Stops polling and leaves every job in SQLite as it is, to resume on the next start. */
  stop(): Promise<void>;
  /** Resolves when no job is waiting or running (tests and benchmarks). */
  whenIdle(): Promise<void>;
}

/** Creates the runner; nothing runs until `start()` or `resume()` is called. */
export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { store, providers, config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const scheduler = options.scheduler ?? createPollScheduler({ clock, maxConcurrentPollsPerProvider: config.jobs.pollConcurrencyPerProvider });
  const policy = createQuotaPolicy(config.quota);
  const deliveries = new Map<Platform, Delivery>();
  const stopController = new AbortController();
  // Every job in flight listens to this one signal; thousands of listeners are expected, not a leak.
  setMaxListeners(Number.POSITIVE_INFINITY, stopController.signal);
  const createJobId = options.createJobId ?? (() => randomUUID());
  const running = new Set<Promise<void>>();
  let idleWaiters: Array<() => void> = [];

  const queue = new JobQueue({
    maxPerUser: config.jobs.maxPerUser,
    maxInFlightForProvider: (id) =>
      Math.min(config.jobs.maxInFlightPerProvider, providers.get(id)?.capabilities.maxConcurrentTasks ?? Number.POSITIVE_INFINITY),
  });

  const context: ExecutionContext = {
    store,
    providerFor: (id) => providers.get(id),
    deliveryFor: (platform) => deliveries.get(platform),
    scheduler,
    queue,
    clock,
    logger,
    deadlineMs: config.jobs.deadlineMs,
    progressIntervalMs: options.progressIntervalMs ?? 3000,
    download: {
      ...(options.downloadDispatcher === undefined ? {} : { dispatcher: options.downloadDispatcher }),
      timeoutMs: 60_000,
      maxBytes: options.maxResultBytes ?? 50_000_000,
    },
    downloadSlots: new Semaphore(options.maxConcurrentDownloads ?? 16),
    signal: stopController.signal,
    deliveryAttempts: 3,
  };

  function notifyIdle(): void {
    if (running.size > 0 || queue.waitingCount > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  function launch(jobId: string): void {
    const task = executeJob(context, jobId).finally(() => {
      running.delete(task);
      queue.release(jobId);
      pump();
      notifyIdle();
    });
    running.add(task);
  }

  /** Last place told to each waiting job's user, so they only hear about changes. */
  const announcedPositions = new Map<string, number>();

  function pump(): void {
    if (stopController.signal.aborted) return;
    for (const entry of queue.admit()) {
      announcedPositions.delete(entry.jobId);
      launch(entry.jobId);
    }
    announceQueuePositions();
  }

  /** Tells users whose place in line moved (the first place is told by the adapter from `start`). */
  function announceQueuePositions(): void {
    for (const [jobId, place] of queue.positions()) {
      const previous = announcedPositions.get(jobId);
      announcedPositions.set(jobId, place.position);
      if (previous === undefined || previous === place.position) continue;
      const job = store.get(jobId);
      const delivery = job && deliveries.get(job.origin.platform);
      if (!job || !delivery) continue;
      const progress = { summary: summarize(job), phase: 'queued' as const, queuePosition: place.position, queueReason: place.reason, elapsedMs: clock.now() - job.createdAt };
      delivery.progress(job.origin, progress).catch((error: unknown) => logger.warn({ jobId, err: error }, 'queue update failed'));
    }
  }

  function entryOf(job: JobRecord) {
    return { jobId: job.id, requesterKey: job.requesterKey, provider: job.provider };
  }

  function providerOrThrow(id: ProviderId): ImageProvider {
    const provider = providers.get(id);
    if (provider) return provider;
    const available = [...providers.keys()].join(', ');
    throw invalidRequest(`The provider "${id}" is not configured on this bot; available: ${available}.`);
  }

  function parseRequest(request: GenerationRequest): GenerationRequest {
    const parsed = generationRequestSchema.safeParse(request);
    if (parsed.success) return parsed.data;
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'request'}: ${issue.message}`);
    throw invalidRequest(`The request is malformed: ${problems.join('; ')}.`);
  }

  async function start(input: GenerationRequest, startOptions: StartOptions = {}): Promise<StartedJob> {
    try {
      return await startJob(input, startOptions);
    } catch (error) {
      // A refusal is shown to the user at once by the adapter, so the intake has nothing left to do.
      if (startOptions.dedupeKey) store.clearIntake(startOptions.dedupeKey);
      throw error;
    }
  }

  async function startJob(input: GenerationRequest, startOptions: StartOptions): Promise<StartedJob> {
    if (stopController.signal.aborted) throw new BotError('internal', 'The bot is shutting down; try again in a moment');
    const key = requesterKey(input.requester);
    if (startOptions.dedupeKey) {
      const existing = store.getByDedupeKey(startOptions.dedupeKey);
      if (existing) return describeStarted(existing, true);
    }
    const parsedRequest = parseRequest(input);
    // The operator's PROVIDER_MODEL applies when the request names no model for the default provider.
    const operatorModel = operatorModelFor(config, parsedRequest.provider);
    const request = parsedRequest.model === undefined && operatorModel ? { ...parsedRequest, model: operatorModel } : parsedRequest;
    const provider = providerOrThrow(request.provider);
    const validated = validateRequest(request, provider.id, provider.capabilities);
    const now = clock.now();
    const { job, duplicate } = store.createJob({
      id: createJobId(),
      ...(startOptions.dedupeKey === undefined ? {} : { dedupeKey: startOptions.dedupeKey }),
      requesterKey: key,
      ...(request.requester.communityId === undefined ? {} : { communityKey: `${request.requester.platform}:${request.requester.communityId}` }),
      request: {
        prompt: validated.prompt,
        references: validated.references,
        ...(validated.aspectRatio === undefined ? {} : { aspectRatio: validated.aspectRatio }),
        resolution: validated.resolution,
        outputFormat: validated.outputFormat,
        provider: provider.id,
        model: validated.model,
        requester: request.requester,
      },
      origin: request.origin,
      cost: policy.costOf(validated.resolution),
      unlimited: policy.isAdmin(key),
      now,
    });
    if (!duplicate) {
      queue.enqueue(entryOf(job));
      pump();
      logger.info({ jobId: job.id, provider: job.provider, requester: key }, 'job accepted');
    }
    return describeStarted(job, duplicate);
  }

  function describeStarted(job: JobRecord, duplicate: boolean): StartedJob {
    const place = queue.position(job.id);
    return {
      jobId: job.id,
      duplicate,
      summary: summarize(job),
      cost: job.cost,
      queuePosition: place?.position,
      queueReason: place?.reason,
      balance: store.balance(job.requesterKey, clock.now()),
    };
  }

  async function resume(): Promise<void> {
    const resumed = await recoverJobs({
      store,
      deliveries,
      deadlineMs: config.jobs.deadlineMs,
      retentionDays: config.jobs.retentionDays,
      clock,
      logger,
      requeue: (job) => queue.enqueue(entryOf(job)),
      relaunch: (job) => {
        queue.markActive(entryOf(job), job.state !== 'succeeded');
        launch(job.id);
      },
    });
    pump();
    logger.info({ resumed }, 'recovery started');
  }

  async function stop(): Promise<void> {
    stopController.abort(new BotError('cancelled', 'The bot is stopping'));
    scheduler.stop();
    await Promise.allSettled([...running]);
  }

  function whenIdle(): Promise<void> {
    if (running.size === 0 && queue.waitingCount === 0) return Promise.resolve();
    return new Promise((resolve) => idleWaiters.push(resolve));
  }

  function balance(requester: Requester): QuotaBalance {
    return store.balance(requesterKey(requester), clock.now());
  }

  function providerChoices(): ProviderChoice[] {
    const choices = [...providers.values()].map((provider) => ({
      id: provider.id,
      displayName: provider.capabilities.displayName,
      models: provider.capabilities.models,
      defaultModel: operatorModelFor(config, provider.id) ?? provider.capabilities.defaultModel,
    }));
    return choices.sort((left, right) => Number(right.id === config.defaultProvider) - Number(left.id === config.defaultProvider));
  }

  return {
    accept: (request) => store.recordIntake({ ...request, createdAt: clock.now() }),
    release: (dedupeKey) => store.clearIntake(dedupeKey),
    start,
    getJob: (jobId: string): JobView | undefined => {
      const job = store.get(jobId);
      return job ? toJobView(job) : undefined;
    },
    balance,
    costOf: (request) => policy.costOf(request.resolution),
    isAdmin: (requester) => policy.isAdmin(requesterKey(requester)),
    grant: (targetKey, amount, actor) => store.grant(targetKey, amount, requesterKey(actor), clock.now()),
    reset: (targetKey, actor) => store.reset(targetKey, requesterKey(actor), clock.now()),
    providers: providerChoices,
    defaultProvider: config.defaultProvider,
    defaultModel: config.defaultModel,
    registerDelivery: (delivery) => {
      deliveries.set(delivery.platform, delivery);
    },
    resume,
    stop,
    whenIdle,
  };
}
