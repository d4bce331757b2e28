// The persistence seam for jobs: their state machine, leases and claims (intakes and the quota ledger have their own files).
import type { SerializedError } from './errors.ts';
import type { ImageMimeType } from './image-type.ts';
import type { IntakeLease } from './intake-store.ts';
import type { KeptImage } from './kept-image.ts';
import type { JobSpend } from './job-spend.ts';
import type { ProviderAttempt } from './provider-attempts.ts';
import type { AspectRatio, Origin, OutputFormat, Platform, ProviderId, ReferenceSource, Requester, Resolution } from './request.ts';

/**
 * queued → submitted → (running) → succeeded | failed; succeeded → delivered.
 * `failed` and `delivered` are final; only they settle the reservation (refund / commit).
 */
export const jobStates = ['queued', 'submitted', 'running', 'succeeded', 'failed', 'delivered'] as const;
export type JobState = (typeof jobStates)[number];

/** A reference image as stored: bytes are kept because chat CDN URLs expire. */
export interface StoredReference {
  data?: Uint8Array;
  url?: string;
  filename?: string;
  source: ReferenceSource;
  mimeType?: ImageMimeType;
}

/** The validated request as stored with its job (enough to resubmit, reroll or upscale it). */
export interface StoredRequest {
  prompt: string;
  references: StoredReference[];
  aspectRatio?: AspectRatio;
  resolution: Resolution;
  outputFormat: OutputFormat;
  /** The provider the request was made for (the job's `provider` differs once it failed over). */
  provider: ProviderId;
  model: string;
  /** True when the bot chose `provider` (its default): the job may fail over. Unset: the user named it. */
  providerFromDefault?: boolean;
  requester: Requester;
}

/** Where the finished image is: a provider URL (expires in hours) and/or bytes the provider returned inline. */
export interface StoredResult {
  url?: string;
  data?: Uint8Array;
  mimeType?: ImageMimeType;
}

export interface JobRecord {
  id: string;
  /** The platform's event/interaction id; a retried event finds this job instead of creating another. */
  dedupeKey: string | null;
  state: JobState;
  /** Platform-qualified requester (`discord:123`). */
  requesterKey: string;
  /** Platform-qualified community (`discord:<guild>`, `slack:<team>`), for community caps. */
  communityKey: string | null;
  provider: ProviderId;
  model: string;
  request: StoredRequest;
  origin: Origin;
  /** The provider's task id once submitted (null for synchronous providers). */
  taskId: string | null;
  /** 0-100 as last reported. */
  progress: number | null;
  /** Credits reserved for this job (0 for admins). */
  cost: number;
  /** UTC day (`YYYY-MM-DD`) the reservation was taken from; refunds go back to that day. */
  quotaDay: string;
  error: SerializedError | null;
  result: StoredResult | null;
  /** Message holding the delivered image; set in the same step as `delivered`. */
  deliveredMessageId: string | null;
  /** When a create call was started (`markSubmitting`); set on a queued job, its outcome is unknown. */
  submitStartedAt: number | null;
  /** Every provider tried or passed over for the create call, in order; empty until it was decided. */
  attempts: ProviderAttempt[];
  createdAt: number;
  submittedAt: number | null;
  finishedAt: number | null;
  updatedAt: number;
}

export interface NewJob {
  id: string;
  dedupeKey?: string;
  requesterKey: string;
  communityKey?: string;
  request: StoredRequest;
  origin: Origin;
  /** Credits to reserve. */
  cost: number;
  /** Admins reserve nothing against a limit (rows are still written). */
  unlimited: boolean;
  now: number;
}

export type CreateJobOutcome = { job: JobRecord; duplicate: boolean };

/** What a provider accepted, recorded with the job in one step (see `JobStore.markAccepted`). */
export interface Acceptance {
  /** The provider's task id; null when it answered with the finished image at once. */
  taskId: string | null;
  /** The provider that accepted: the job's provider becomes this one (a takeover polls it). */
  provider: ProviderId;
  /** The model it was asked for: the job's model becomes this one. */
  model: string;
  /** Every provider tried or passed over, in order, the accepting one last. */
  attempts: readonly ProviderAttempt[];
  /** What the job costs the operator. */
  spend: JobSpend;
}

/**
 * A process's claim on a job. Only the holder of the job's current `epoch` may change the job:
 * every write after the claim names the lease and fails with `lease_lost` once another process
 * has taken the job over, so a paused or partitioned process can never change or deliver it.
 */
export interface JobLease {
  jobId: string;
  /** The claiming process (host, pid and a random part). */
  owner: string;
  /** Grows with every claim of the job; the fencing token. */
  epoch: number;
}

/** A job this process now holds the lease of. */
export interface ClaimedJob {
  job: JobRecord;
  lease: JobLease;
  /** True when another process (or this one before a restart) had worked on it before. */
  takenOver: boolean;
}

/** Where a waiting job stands in the shared line. */
export interface QueuePosition {
  /** 1-based place among the jobs waiting for the same thing. */
  position: number;
  reason: 'user_limit' | 'provider_limit';
}

/** One claim pass: admission limits counted across every process. */
export interface ClaimRequest {
  owner: string;
  now: number;
  leaseMs: number;
  /** Jobs one user may have in flight. */
  maxPerUser: number;
  /** Jobs one provider may have in flight (submitted, running, or claimed to be submitted). */
  providerLimit(provider: ProviderId): number;
  /** Only jobs from these platforms (the ones this process can deliver to). */
  platforms: readonly Platform[];
  /** Most jobs to claim in this pass (queued and taken over together). */
  limit: number;
}

/** What a claim pass did. */
export interface ClaimOutcome {
  claimed: ClaimedJob[];
  /** Place of every waiting job the pass looked at. */
  positions: Map<string, QueuePosition>;
  /**
   * Waiting jobs whose place changed since it was last recorded: the process whose pass recorded
   * the change is the one that tells the user, so each change is announced once.
   */
  moved: Array<{ jobId: string; position: QueuePosition }>;
}

/** Jobs in the shared store (SQLite or PostgreSQL). Every method that moves credits writes its ledger row in the same transaction. */
export interface JobStore {
  /**
   * Atomically: finds an existing job by `dedupeKey` (→ duplicate, nothing charged), else reserves
   * `cost` from the requester's day (and the community's cap) with a conditional update, writes a
   * `reserve` ledger row and inserts the job as `queued`. Throws `BotError('quota_exceeded')` with a
   * message naming the cost, what is left and when it resets; nothing changes then.
   */
  createJob(job: NewJob): Promise<CreateJobOutcome>;
  get(jobId: string): Promise<JobRecord | undefined>;
  getByDedupeKey(dedupeKey: string): Promise<JobRecord | undefined>;
  /**
   * In one transaction: takes over unfinished jobs whose lease expired (at the provider, or
   * finished and not delivered), then leases queued jobs in FIFO order while their user and
   * provider are under the limits, counted over every process. Records every waiting job's place.
   */
  claimJobs(request: ClaimRequest): Promise<ClaimOutcome>;
  /** Extends the leases `owner` still holds to `now + leaseMs`; returns the job ids it still holds. */
  renewLeases(owner: string, leases: readonly (JobLease | IntakeLease)[], now: number, leaseMs: number): Promise<Set<string>>;
  /** Gives leases up at once (a clean stop) so another process continues without waiting for expiry. */
  releaseLeases(leases: readonly (JobLease | IntakeLease)[], now: number): Promise<void>;
  /**
   * queued → (still queued) with the create call marked as started: if the process dies before
   * `markSubmitted`, the outcome is unknown and the job fails with a refund instead of being sent twice.
   */
  markSubmitting(lease: JobLease, now: number): Promise<void>;
  /** queued → submitted, with the provider task id (null for synchronous providers). */
  markSubmitted(lease: JobLease, taskId: string | null, now: number): Promise<void>;
  /**
   * queued → submitted at the provider that accepted the create call, in one transaction: the job's
   * provider, model and task id switch to it (so whoever takes the job over polls the right
   * provider, and its in-flight slot counts there from now on), the attempts are recorded and the
   * job's spend row is written. Recording the same acceptance again is harmless.
   */
  markAccepted(lease: JobLease, acceptance: Acceptance, now: number): Promise<void>;
  /** Records the providers tried for a job no provider accepted (before `markFailed`); the job stays as it is otherwise. */
  recordAttempts(lease: JobLease, attempts: readonly ProviderAttempt[], now: number): Promise<void>;
  /**
   * The provider refunded the job's failed task: its spend becomes 0 (`refunded`). Returns the spend
   * it had, or undefined when the job has no spend row (no provider accepted it).
   */
  refundSpend(lease: JobLease, now: number): Promise<JobSpend | undefined>;
  /** Jobs holding an in-flight slot of `provider` over every process, counted as the claim pass counts them. */
  providerSlotsInUse(provider: ProviderId, now: number): Promise<number>;
  /** submitted/running → running with the latest progress. */
  markRunning(lease: JobLease, progress: number | null, now: number): Promise<void>;
  /** → succeeded, keeping where the result is until it is delivered. */
  markSucceeded(lease: JobLease, result: StoredResult, now: number): Promise<void>;
  /** → failed and refunds the reservation (ledger `refund`) in one transaction. Idempotent. */
  markFailed(lease: JobLease, error: SerializedError, now: number): Promise<{ refunded: number }>;
  /**
   * → delivered, records the message id and commits the reservation (ledger `commit`). Idempotent.
   * `kept` is stored with the job in the same transaction (for `/show`; see `KeptImages`).
   */
  markDelivered(lease: JobLease, messageId: string, now: number, kept?: KeptImage): Promise<void>;
  /** Jobs in any of `states`, oldest first. */
  listByState(states: readonly JobState[]): Promise<JobRecord[]>;
  /** Jobs of `requesterKey` in `states`. */
  countByRequester(requesterKey: string, states: readonly JobState[]): Promise<number>;
  /** Deletes jobs (and their stored references) created before `cutoff` that are final; the ledger is kept. */
  purgeFinishedBefore(cutoff: number): Promise<number>;
  /**
   * Remembers a platform event id (Slack `event_id`, a trigger id) for `ttlMs`; false when any
   * process remembered it already, so a redelivered event is handled once across processes.
   */
  rememberEvent(key: string, now: number, ttlMs: number): Promise<boolean>;
  /** Forgets a remembered event id, so the same event may be handled again (a refusal that started nothing). */
  forgetEvent(key: string): Promise<void>;
  /**
   * Calls `onWork` (debounced by the caller) when another process may have added or freed work:
   * PostgreSQL LISTEN/NOTIFY, a cheap change check on SQLite. Returns the unsubscribe function.
   */
  watchForWork(onWork: () => void): () => void;
}

export type { ClaimedIntake, Intake, IntakeLease, IntakeStore } from './intake-store.ts';
export type { LedgerEntry, LedgerKind, QuotaLedger } from './quota-ledger.ts';
