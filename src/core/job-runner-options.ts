// The job runner's contract: what it is built from, and what it offers beyond the service adapters call.
import type { Dispatcher } from 'undici';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { BlockedRule } from './blocked-terms.ts';
import type { BotMetrics } from './bot-metrics.ts';
import type { Clock } from './clock.ts';
import type { CommunityStore } from './community-store.ts';
import type { ImagineService } from './imagine-service.ts';
import type { JobCancellation } from './job-cancellation.ts';
import type { JobHistory } from './job-history.ts';
import type { IntakeStore, JobStore, QuotaLedger } from './job-store.ts';
import type { KeptImages } from './kept-image.ts';
import type { PollScheduler } from './poll-scheduler.ts';
import type { ImageProvider } from './provider.ts';
import type { ProviderCooldowns } from './provider-cooldown.ts';
import type { ProviderId } from './request.ts';
import type { SpendReports } from './spend-report.ts';

/** Every store seam the runner uses (both databases implement all of them). */
export type RunnerStore = JobStore & QuotaLedger & IntakeStore & SpendReports & JobHistory & CommunityStore & JobCancellation & KeptImages;

export interface JobRunnerOptions {
  store: RunnerStore;
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
