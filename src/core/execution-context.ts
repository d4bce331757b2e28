// What every job the runner holds shares while it runs, built once from the runner's options and parts.
import type { Logger } from '../log.ts';
import type { BotMetrics } from './bot-metrics.ts';
import type { Clock } from './clock.ts';
import type { Delivery } from './delivery.ts';
import type { ExecutionContext } from './job-execution.ts';
import type { JobRunnerOptions } from './job-runner-options.ts';
import type { LeaseKeeper } from './lease-keeper.ts';
import { refusalEvent } from './moderation-events.ts';
import type { PollScheduler } from './poll-scheduler.ts';
import { createProviderCooldowns } from './provider-cooldown.ts';
import type { Platform, ProviderId } from './request.ts';
import { Semaphore } from './semaphore.ts';

/** The runner's own parts the jobs use (the runner keeps them: deliveries register later, the signal is its stop). */
export interface RunnerParts {
  deliveries: ReadonlyMap<Platform, Delivery>;
  scheduler: PollScheduler;
  leases: LeaseKeeper;
  clock: Clock;
  logger: Logger;
  metrics: BotMetrics;
  /** Aborted when the runner stops. */
  signal: AbortSignal;
  /** Jobs one provider may have in flight (PROVIDER_MAX_IN_FLIGHT and the provider's own cap). */
  providerLimit(provider: ProviderId): number;
}

/** The execution context of `options`' runner: its limits, downloads, failover settings and moderation record. */
export function createExecutionContext(options: JobRunnerOptions, parts: RunnerParts): ExecutionContext {
  const { store, providers, config } = options;
  const { clock, logger } = parts;
  return {
    store,
    providerFor: (id) => providers.get(id),
    deliveryFor: (platform) => parts.deliveries.get(platform),
    scheduler: parts.scheduler,
    leases: parts.leases,
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
    signal: parts.signal,
    deliveryAttempts: 3,
    metrics: parts.metrics,
    submission: {
      defaultProvider: config.defaultProvider,
      fallbacks: config.failover.fallbacks,
      cooldowns: options.cooldowns ?? createProviderCooldowns({ cooldownMs: config.failover.cooldownMs, clock, logger }),
      prices: config.prices,
      providerLimit: parts.providerLimit,
    },
    keptImageMaxBytes: config.jobs.keptImageMaxBytes,
    recordRefusal: (job, reason) => store.recordModeration(refusalEvent(job, reason, clock.now())),
  };
}
