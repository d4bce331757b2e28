// What adapters call: start a job, look one up for buttons, read and change quotas. Implemented by the job runner.
import type { ModelCapability } from './capabilities.ts';
import type { Delivery, JobSummary, QuotaBalance } from './delivery.ts';
import type { SerializedError } from './errors.ts';
import type { JobHistoryEntry } from './job-history.ts';
import type { JobState } from './job-store.ts';
import type { GenerationRequest, Origin, ProviderId, Requester } from './request.ts';
import type { SpendQuery, SpendRow } from './spend-report.ts';

export interface StartOptions {
  /** The platform's event/interaction id: a retried event returns the existing job, charged once. */
  dedupeKey?: string;
}

export interface StartedJob {
  jobId: string;
  /** True when `dedupeKey` matched an existing job (nothing new was started or charged). */
  duplicate: boolean;
  summary: JobSummary;
  /** Credits reserved. */
  cost: number;
  /** 1-based position when the job has to wait (user or provider limit), else undefined. */
  queuePosition: number | undefined;
  /** Why it waits: the user's own concurrent-job limit or the provider's in-flight cap. */
  queueReason: 'user_limit' | 'provider_limit' | undefined;
  /** The requester's balance after the reservation. */
  balance: QuotaBalance;
}

/** A stored job as adapters see it (to reroll, upscale or remix it, even after a restart). */
export interface JobView {
  id: string;
  state: JobState;
  summary: JobSummary;
  /** The request as submitted, references included (bytes kept), ready to resubmit with a new origin. */
  request: GenerationRequest;
  origin: Origin;
  error: SerializedError | null;
  deliveredMessageId: string | null;
  createdAt: number;
}

/** A provider users may pick, with its models (for command choices and help). */
export interface ProviderChoice {
  id: ProviderId;
  displayName: string;
  models: readonly ModelCapability[];
  defaultModel: string;
}

/** A request about to be acknowledged on its platform (see `ImagineService.accept`). */
export interface AcceptedRequest {
  dedupeKey: string;
  /** Where the pending message will be; enough to end it after a restart. */
  origin: Origin;
  prompt: string;
  /** The adapter's record of the request, enough to finish it elsewhere (see `Delivery.resumeIntake`). */
  payload?: unknown;
}

export interface ImagineService {
  /**
   * Persist, then acknowledge: records the request before the adapter answers the platform
   * ("thinking…"), so a crash before `start` still gets the pending message ended on the next start.
   * Returns false when the key was seen before (a retried event). Cheap: one insert.
   */
  accept(request: AcceptedRequest): Promise<boolean>;
  /**
   * The adapter answered the request without starting a job (a refusal it made itself, or a
   * failure): forget the intake. Idempotent, and harmless after `start` (which forgets it too).
   */
  release(dedupeKey: string): Promise<void>;
  /**
   * Validates `request` against its provider, reserves credits, persists the job and starts it.
   * Throws `BotError` (`invalid_request`, `quota_exceeded`) before anything is charged or sent, and
   * `stopping` while the bot stops: the adapter then leaves the pending message as it is, because the
   * intake stays and the next process finishes the request.
   */
  start(request: GenerationRequest, options?: StartOptions): Promise<StartedJob>;
  /** A stored job, or undefined when unknown or purged by retention. */
  getJob(jobId: string): Promise<JobView | undefined>;
  /** `requester`'s latest jobs, newest first (default 10), for the history listing; only their own. */
  recentJobs(requester: Requester, limit?: number): Promise<JobHistoryEntry[]>;
  /** The requester's credits today. */
  balance(requester: Requester): Promise<QuotaBalance>;
  /** Credits per image at each tier (shown in help). */
  costOf(request: Pick<GenerationRequest, 'resolution'>): number;
  /** True for ids in ADMIN_USER_IDS. */
  isAdmin(requester: Requester): boolean;
  /**
   * The blocked term `prompt` breaks, if any (`start` refuses it with `prompt_blocked`). Lets an
   * adapter refuse before it posts anything public that would show the prompt.
   */
  blockedTermIn(prompt: string): string | undefined;
  /** Adds credits to `targetKey` (`discord:123`) today. The adapter checks permissions first. */
  grant(targetKey: string, amount: number, actor: Requester): Promise<QuotaBalance>;
  /** Restores `targetKey`'s balance to the daily allowance. */
  reset(targetKey: string, actor: Requester): Promise<QuotaBalance>;
  /** What accepted jobs cost the operator, grouped as `query` asks (the adapter checks the asker is an admin). */
  spendReport(query: SpendQuery): Promise<SpendRow[]>;
  /** Providers that are configured, default first. */
  providers(): ProviderChoice[];
  /** The provider used when a request names none, and its default model. */
  readonly defaultProvider: ProviderId;
  readonly defaultModel: string | undefined;
  /**
   * Remembers a platform event or interaction id across every process sharing the store; false
   * when it was seen already (within `ttlMs`, default an hour), so a redelivered event is handled once.
   */
  rememberEvent(key: string, ttlMs?: number): Promise<boolean>;
  /** Lets `key` be handled again (the user can retry after a refusal that started nothing). */
  forgetEvent(key: string): Promise<void>;
  /** Registers a platform's delivery; jobs from that platform report through it. */
  registerDelivery(delivery: Delivery): void;
}

/** `discord:123` — the key quotas and admin lists use. */
export function requesterKey(requester: Pick<Requester, 'platform' | 'userId'>): string {
  return `${requester.platform}:${requester.userId}`;
}
