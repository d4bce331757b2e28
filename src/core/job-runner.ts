// The job runner: persists requests as jobs, claims work from the shared store under leases, and runs what it holds.
import { randomBytes, randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { operatorModelFor } from '../config.ts';
import { silentLogger } from '../log.ts';
import { noMetrics } from './bot-metrics.ts';
import { createClaimLoop } from './claim-loop.ts';
import { createClaimPass } from './claim-pass.ts';
import { systemClock } from './clock.ts';
import { createCommunityControls } from './community-controls.ts';
import { createCommunityGate, refusalError } from './community-gate.ts';
import type { Delivery, QuotaBalance } from './delivery.ts';
import { BotError } from './errors.ts';
import { requesterKey, type JobView, type ProviderChoice, type StartedJob, type StartOptions } from './imagine-service.ts';
import { createExecutionContext } from './execution-context.ts';
import { executeJob } from './job-execution.ts';
import { recentJobsFor } from './job-history.ts';
import { createIntakeTakeover } from './job-recovery.ts';
import type { JobRunner, JobRunnerOptions } from './job-runner-options.ts';
import type { JobRecord, QueuePosition } from './job-store.ts';
import { summarize, toJobView } from './job-view.ts';
import { createLeaseKeeper } from './lease-keeper.ts';
import { newJobFor } from './new-job.ts';
import { createPollScheduler } from './poll-scheduler.ts';
import { providerChoicesFor } from './provider-choices.ts';
import { createQuotaPolicy } from './quota-policy.ts';
import type { GenerationRequest, Platform, ProviderId, Requester } from './request.ts';

export type { JobRunner, JobRunnerOptions, RunnerStore } from './job-runner-options.ts';

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
  let unwatchCancels: (() => void) | undefined;

  const context = createExecutionContext(options, {
    deliveries,
    scheduler,
    leases,
    clock,
    logger,
    metrics,
    signal: stopController.signal,
    providerLimit: (id) => providerLimit(id),
  });

  const operatorRules = options.blockedTerms ?? [];
  const gate = createCommunityGate({
    store,
    isAdmin: (key) => policy.isAdmin(key),
    operatorRules,
    providers,
    operatorModelFor: (provider) => operatorModelFor(config, provider),
    now: () => clock.now(),
  });

  /** What `start` builds its jobs with. */
  const jobContext = { providers, config, policy, clock, createJobId };

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
    const view = await gate.viewOf(input.requester);
    const refusal = await gate.screen(input, view);
    if (refusal !== undefined) throw refusalError(refusal);
    await gate.applyMemberCredits(input.requester, view);
    const { job, duplicate } = await store.createJob(newJobFor(jobContext, gate.withDefaults(input, view), startOptions.dedupeKey));
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
    // A job cancelled through another process stops here at once: no more polls, edits or posting.
    unwatchCancels ??= store.watchForCancels((jobIds) => {
      for (const jobId of jobIds) {
        // The job's own run then stops quietly and tells its delivery to drop queued edits (`abandoned`).
        if (running.has(jobId)) leases.drop(jobId);
      }
    });
    claims.start();
    await claims.request();
    await intakeTakeover.run();
    logger.info({ owner, held: running.size }, 'claiming work');
  }

  async function stop(): Promise<void> {
    // Taken before the jobs wind down (each forgets its lease as it ends): all of them go back.
    const held = leases.allLeases();
    stopController.abort(new BotError('cancelled', 'The bot is stopping'));
    unwatchCancels?.();
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

  async function balance(requester: Requester): Promise<QuotaBalance> {
    await gate.applyMemberCredits(requester, await gate.viewOf(requester));
    return store.balance(requesterKey(requester), clock.now());
  }

  const providerChoices = (): ProviderChoice[] => providerChoicesFor(providers, config);

  const controls = createCommunityControls({
    store,
    gate,
    leases,
    deliveryFor: (platform) => deliveries.get(platform),
    policy,
    providers: providerChoices,
    operatorDefaults: { provider: config.defaultProvider, model: config.defaultModel, dailyCredits: config.quota.dailyCredits },
    canUpscale: (job) =>
      job.request.resolution !== '4K'
      && (providers.get(job.provider)?.capabilities.models.find((model) => model.id === job.model)?.resolutions.includes('4K') ?? false),
    clock,
    logger,
    metrics,
  });

  return {
    ...controls,
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
