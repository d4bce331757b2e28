// The job runner: persists requests as jobs, claims work from the shared store under leases, and runs what it holds.
import { randomBytes, randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import type { Dispatcher } from 'undici';
import { operatorModelFor, type Config } from '../config.ts';
import { silentLogger, type Logger } from '../log.ts';
import { findBlockedTerm, type BlockedRule } from './blocked-terms.ts';
import { noMetrics, type BotMetrics } from './bot-metrics.ts';
import { createClaimLoop } from './claim-loop.ts';
import { createClaimPass } from './claim-pass.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Delivery, QuotaBalance } from './delivery.ts';
import { BotError } from './errors.ts';
import { executeJob, type ExecutionContext } from './job-execution.ts';
import { recentJobsFor, type JobHistory } from './job-history.ts';
import { createIntakeTakeover } from './job-recovery.ts';
import type { IntakeStore, JobRecord, JobStore, QueuePosition, QuotaLedger } from './job-store.ts';
import type { SpendReports } from './spend-report.ts';
import { summarize, toJobView } from './job-view.ts';
import { createLeaseKeeper } from './lease-keeper.ts';
import { newJobFor } from './new-job.ts';
import { createPollScheduler, type PollScheduler } from './poll-scheduler.ts';
import type { ImageProvider } from './provider.ts';
import { createProviderCooldowns, type ProviderCooldowns } from './provider-cooldown.ts';
import { createQuotaPolicy } from './quota-policy.ts';
import { Semaphore } from './semaphore.ts';
import { requesterKey, type ImagineService, type JobView, type ProviderChoice, type StartedJob, type StartOptions } from './imagine-service.ts';
import type { GenerationRequest, Platform, ProviderId, Requester } from './request.ts';

export interface JobRunnerOptions {
  store: JobStore & QuotaLedger & IntakeStore & SpendReports & JobHistory;
  /** Configured providers by id. */
  providers: ReadonlyMap<ProviderId, ImageProvider>;
  config: Pick<Config, 'defaultProvider' | 'defaultModel' | 'jobs' | 'quota' | 'failover' | 'prices'>;
  /** This process's name on its leases (default: host, pid and a random part). */
  owner?: string;
  /**
   * Jobs this process works on at once at most (default 10,000: in practice MAX_JOBS_PER_USER and
   * PROVIDER_MAX_IN_FLIGHT bound it first); the rest wait in the shared line for any process.
   */
  maxHeldJobs?: number;
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
  /** Where jobs, the queue, provider calls and credits are counted (default nowhere). */
  metrics?: BotMetrics;
  /** Providers passed over after a 401/402 (default: PROVIDER_COOLDOWN_SECONDS on `clock`); tests give their own clock. */
  cooldowns?: ProviderCooldowns;
  /** The operator's BLOCKED_TERMS, compiled once (default none): prompts breaking one never become jobs. */
  blockedTerms?: readonly BlockedRule[];
}

export interface JobRunner extends ImagineService {
  /**
   * Starts claiming work: queued jobs in the shared line, jobs and intakes whose process died
   * (expired leases: restart recovery is this special case), for every platform with a registered
   * delivery. Call it after every adapter has registered its delivery. Also purges jobs past retention.
   */
  resume(): Promise<void>;
  /** Stops polling, leaves every job in the store as it is, and gives its leases back for another process. */
  stop(): Promise<void>;
  /** This process's name on its leases. */
  readonly owner: string;
  /** Resolves when no job is waiting or running (tests and benchmarks). */
  whenIdle(): Promise<void>;
}

/** A process's lease name: readable in logs and unique even when two containers share a pid. */
function defaultOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** Creates the runner; nothing runs until `start()` or `resume()` is called. */
export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { store, providers, config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const owner = options.owner ?? defaultOwner();
  const leaseMs = config.jobs.leaseMs;
  const maxHeldJobs = options.maxHeldJobs ?? 10_000;
  const metrics = options.metrics ?? noMetrics;
  const scheduler = options.scheduler ?? createPollScheduler({ clock, maxConcurrentPollsPerProvider: config.jobs.pollConcurrencyPerProvider, metrics });
  const policy = createQuotaPolicy(config.quota);
  const deliveries = new Map<Platform, Delivery>();
  const stopController = new AbortController();
  // Every job in flight listens to this one signal; thousands of listeners are expected, not a leak.
  setMaxListeners(Number.POSITIVE_INFINITY, stopController.signal);
  const createJobId = options.createJobId ?? (() => randomUUID());
  const running = new Map<string, Promise<void>>();
  const leases = createLeaseKeeper({ store, owner, leaseMs, clock, logger });
  let idleWaiters: Array<() => void> = [];
  let resumed = false;

  const context: ExecutionContext = {
    store,
    providerFor: (id) => providers.get(id),
    deliveryFor: (platform) => deliveries.get(platform),
    scheduler,
    leases,
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
    metrics,
    submission: {
      defaultProvider: config.defaultProvider,
      fallbacks: config.failover.fallbacks,
      cooldowns: options.cooldowns ?? createProviderCooldowns({ cooldownMs: config.failover.cooldownMs, clock, logger }),
      prices: config.prices,
      providerLimit: (id) => providerLimit(id),
    },
  };

  /** What `start` builds its jobs with. */
  const jobContext = { providers, config, policy, clock, createJobId, blockedTerms: options.blockedTerms ?? [] };

  const providerLimit = (id: ProviderId) =>
    Math.min(config.jobs.maxInFlightPerProvider, providers.get(id)?.capabilities.maxConcurrentTasks ?? Number.POSITIVE_INFINITY);

  const claimPass = createClaimPass({
    store,
    deliveries,
    clock,
    logger,
    leases,
    owner,
    leaseMs,
    maxPerUser: config.jobs.maxPerUser,
    providerLimit,
    metrics,
    signal: stopController.signal,
    room: () => maxHeldJobs - running.size,
    launch,
    requestPass: () => void claims.request(),
    afterPass() {
      if (resumed) void intakeTakeover.run().catch((error: unknown) => logger.warn({ err: error }, 'intake takeover failed'));
      notifyIdle();
    },
  });

  const claims = createClaimLoop({
    pass: claimPass.run,
    watch: (onWork) => store.watchForWork(onWork),
    intervalMs: Math.max(200, Math.floor(leaseMs / 3)),
    logger,
  });

  const intakeTakeover = createIntakeTakeover({
    store,
    deliveries,
    leases,
    owner,
    leaseMs,
    clock,
    logger,
    isStopping: () => stopController.signal.aborted,
  });

  function notifyIdle(): void {
    if (running.size > 0 || claimPass.positions.size > 0 || claims.busy) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  function launch(claimed: Parameters<typeof executeJob>[1], leaseSignal: AbortSignal): void {
    const jobId = claimed.job.id;
    const task = executeJob(context, claimed, leaseSignal).finally(() => {
      running.delete(jobId);
      leases.forget(jobId);
      // A slot was freed here: the next job in line may start (here or in another process).
      if (!stopController.signal.aborted) void claims.request().then(() => notifyIdle());
    });
    running.set(jobId, task);
  }

  async function start(input: GenerationRequest, startOptions: StartOptions = {}): Promise<StartedJob> {
    try {
      return await startJob(input, startOptions);
    } catch (error) {
      // A refusal is shown to the user at once by the adapter, so the intake has nothing left to do.
      // When stopping, it stays: the next process finishes the request.
      if (startOptions.dedupeKey && !stopController.signal.aborted) {
        leases.forget(startOptions.dedupeKey);
        await store.clearIntake(startOptions.dedupeKey).catch(() => undefined);
      }
      throw error;
    }
  }

  async function startJob(input: GenerationRequest, startOptions: StartOptions): Promise<StartedJob> {
    // Not a refusal: the intake stays, and whoever runs next (another process, or this bot after its
    // restart) finishes the request on the same pending message.
    if (stopController.signal.aborted) throw new BotError('stopping', 'The bot is stopping; the request is left for the next process');
    const key = requesterKey(input.requester);
    if (startOptions.dedupeKey) {
      const existing = await store.getByDedupeKey(startOptions.dedupeKey);
      if (existing) return describeStarted(existing, true, undefined);
    }
    const { job, duplicate } = await store.createJob(newJobFor(jobContext, input, startOptions.dedupeKey));
    if (startOptions.dedupeKey) leases.forget(startOptions.dedupeKey);
    if (duplicate) return describeStarted(job, true, undefined);
    metrics.jobStarted(job.provider);
    metrics.credits('reserved', job.cost);
    logger.info({ jobId: job.id, provider: job.provider, requester: key }, 'job accepted');
    // The pass that follows the insert decides whether the job starts now or waits, and where.
    const outcome = await claims.request();
    return describeStarted(job, false, outcome?.positions.get(job.id));
  }

  async function describeStarted(job: JobRecord, duplicate: boolean, place: QueuePosition | undefined): Promise<StartedJob> {
    return {
      jobId: job.id,
      duplicate,
      summary: summarize(job),
      cost: job.cost,
      queuePosition: place?.position,
      queueReason: place?.reason,
      balance: await store.balance(job.requesterKey, clock.now()),
    };
  }

  async function resume(): Promise<void> {
    const purged = await store.purgeFinishedBefore(clock.now() - config.jobs.retentionDays * 86_400_000);
    if (purged > 0) logger.info({ purged }, 'purged jobs past retention');
    resumed = true;
    claims.start();
    await claims.request();
    await intakeTakeover.run();
    logger.info({ owner, held: running.size }, 'claiming work');
  }

  async function stop(): Promise<void> {
    // Taken before the jobs wind down (each forgets its lease as it ends): all of them go back.
    const held = leases.allLeases();
    stopController.abort(new BotError('cancelled', 'The bot is stopping'));
    await claims.stop();
    scheduler.stop();
    await Promise.allSettled([...running.values()]);
    // Given back at once, so another process (or the next start) continues without waiting for expiry.
    await leases.release(held);
  }

  function whenIdle(): Promise<void> {
    if (running.size === 0 && claimPass.positions.size === 0 && !claims.busy) return Promise.resolve();
    return new Promise((resolve) => idleWaiters.push(resolve));
  }

  function balance(requester: Requester): Promise<QuotaBalance> {
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
    accept: async (request) => {
      const now = clock.now();
      const lease = await store.recordIntake({ ...request, createdAt: now }, { owner, now, leaseMs });
      if (lease === undefined) return false;
      leases.hold(lease, now);
      return true;
    },
    release: async (dedupeKey) => {
      // While stopping, a handler winding down must not forget a request nobody answered: it is finished next.
      if (stopController.signal.aborted) return;
      leases.forget(dedupeKey);
      await store.clearIntake(dedupeKey);
    },
    start,
    getJob: async (jobId: string): Promise<JobView | undefined> => {
      const job = await store.get(jobId);
      return job ? toJobView(job) : undefined;
    },
    recentJobs: (requester, limit) => recentJobsFor(store, requester, limit),
    balance,
    costOf: (request) => policy.costOf(request.resolution),
    isAdmin: (requester) => policy.isAdmin(requesterKey(requester)),
    blockedTermIn: (prompt) => findBlockedTerm(prompt, jobContext.blockedTerms)?.entry,
    grant: (targetKey, amount, actor) => store.grant(targetKey, amount, requesterKey(actor), clock.now()),
    reset: (targetKey, actor) => store.reset(targetKey, requesterKey(actor), clock.now()),
    spendReport: (query) => store.spendReport(query),
    providers: providerChoices,
    defaultProvider: config.defaultProvider,
    defaultModel: config.defaultModel,
    rememberEvent: (key, ttlMs = 60 * 60 * 1000) => store.rememberEvent(key, clock.now(), ttlMs),
    forgetEvent: (key) => store.forgetEvent(key),
    registerDelivery: (delivery) => {
      deliveries.set(delivery.platform, delivery);
    },
    resume,
    stop,
    whenIdle,
    owner,
  };
}
