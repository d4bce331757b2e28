// The persistence seams the job runner needs: jobs with their state machine, and the quota ledger.
import type { QuotaBalance } from './delivery.ts';
import type { SerializedError } from './errors.ts';
import type { ImageMimeType } from './image-type.ts';
import type { AspectRatio, Origin, OutputFormat, ProviderId, ReferenceSource, Requester, Resolution } from './request.ts';

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
  provider: ProviderId;
  model: string;
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

/**
 * A request the platform was already answered for ("thinking…") that is not a job yet: recorded
 * before the acknowledgement, so that if the bot dies before the job is created, the next start can
 * still end the user's pending message.
 */
export interface Intake {
  dedupeKey: string;
  origin: Origin;
  /** What the user asked, to remind them in the message that ends it. */
  prompt: string;
  createdAt: number;
}

/** Intakes over SQLite. A job created with the same dedupe key removes its intake in the same transaction. */
export interface IntakeStore {
  /** Records an intake; false when a job or an intake with this key already exists (a retried event). */
  recordIntake(intake: Intake): boolean;
  /** Forgets an intake (the request was answered without a job). Unknown keys are ignored. */
  clearIntake(dedupeKey: string): void;
  /** Intakes that never became a job, oldest first. */
  listIntakes(): Intake[];
}

/** Jobs over SQLite. Every method that moves credits writes its ledger row in the same transaction. */
export interface JobStore {
  /**
   * Atomically: finds an existing job by `dedupeKey` (→ duplicate, nothing charged), else reserves
   * `cost` from the requester's day (and the community's cap) with a conditional update, writes a
   * `reserve` ledger row and inserts the job as `queued`. Throws `BotError('quota_exceeded')` with a
   * message naming the cost, what is left and when it resets; nothing changes then.
   */
  createJob(job: NewJob): CreateJobOutcome;
  get(jobId: string): JobRecord | undefined;
  getByDedupeKey(dedupeKey: string): JobRecord | undefined;
  /** queued → submitted, with the provider task id (null for synchronous providers). */
  markSubmitted(jobId: string, taskId: string | null, now: number): void;
  /** submitted/running → running with the latest progress. */
  markRunning(jobId: string, progress: number | null, now: number): void;
  /** → succeeded, keeping where the result is until it is delivered. */
  markSucceeded(jobId: string, result: StoredResult, now: number): void;
  /** → failed and refunds the reservation (ledger `refund`) in one transaction. Idempotent. */
  markFailed(jobId: string, error: SerializedError, now: number): { refunded: number };
  /** → delivered, records the message id and commits the reservation (ledger `commit`). Idempotent. */
  markDelivered(jobId: string, messageId: string, now: number): void;
  /** Jobs in any of `states`, oldest first. */
  listByState(states: readonly JobState[]): JobRecord[];
  /** Jobs of `requesterKey` in `states`. */
  countByRequester(requesterKey: string, states: readonly JobState[]): number;
  /** Deletes jobs (and their stored references) created before `cutoff` that are final; the ledger is kept. */
  purgeFinishedBefore(cutoff: number): number;
}

export type LedgerKind = 'reserve' | 'commit' | 'refund' | 'grant' | 'reset';

export interface LedgerEntry {
  id: number;
  requesterKey: string;
  jobId: string | null;
  kind: LedgerKind;
  /** Change of the available credits: reserve −cost, refund +cost, commit 0, grant +n, reset to the allowance. */
  amount: number;
  quotaDay: string;
  /** Who did it (admin key for grant/reset, requester for job rows). */
  actorKey: string;
  createdAt: number;
}

/** Credits per user per UTC day. */
export interface QuotaLedger {
  /** Available, reserved and reset time for `requesterKey` today. */
  balance(requesterKey: string, now: number): QuotaBalance;
  /** Adds `amount` credits to today's balance. */
  grant(requesterKey: string, amount: number, actorKey: string, now: number): QuotaBalance;
  /** Restores today's balance to the daily allowance (reservations in flight stay reserved). */
  reset(requesterKey: string, actorKey: string, now: number): QuotaBalance;
  /** Latest ledger rows of `requesterKey`, newest first. */
  entries(requesterKey: string, limit?: number): LedgerEntry[];
}
