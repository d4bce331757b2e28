// What adapters call: start a job, look one up for buttons, read and change quotas. Implemented by the job runner.
import type { ModelCapability } from './capabilities.ts';
import type { CommunitySettings, SettingsChange, SettingsChangeRecord } from './community-settings.ts';
import type { ModerationEvent, ModerationFilter } from './community-store.ts';
import type { Delivery, JobSummary, QuotaBalance } from './delivery.ts';
import type { SerializedError } from './errors.ts';
import type { JobHistoryEntry } from './job-history.ts';
import type { JobState } from './job-store.ts';
import type { KeptImage } from './kept-image.ts';
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

export interface ImagineService extends CommunityControls {
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
  /** The requester's credits today (with their community's and roles' daily credits applied). */
  balance(requester: Requester): Promise<QuotaBalance>;
  /** Credits per image at each tier (shown in help). */
  costOf(request: Pick<GenerationRequest, 'resolution'>): number;
  /** True for ids in ADMIN_USER_IDS. */
  isAdmin(requester: Requester): boolean;
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

/**
 * Why a request may not go ahead here, found before anything public is posted: the channel is not
 * one the community allows, or the prompt breaks a blocked term (recorded in the moderation log).
 * The adapter tells only the requester.
 */
export type RequestRefusal =
  | { kind: 'channel_not_allowed'; allowedChannels: readonly string[] }
  | { kind: 'prompt_blocked'; rule: string; source: 'operator' | 'server' };

/** What `cancel` did. */
export type CancelResult =
  /** Ended: refunded, and the pending message now says who cancelled (through `Delivery.cancelled`). */
  | { kind: 'cancelled'; job: JobView; refunded: number; cancelledBy: string }
  /** The actor is neither the requester nor an admin: nothing changed. */
  | { kind: 'not_allowed'; job: JobView }
  /** The job had already ended or its image is being posted: nothing changed. */
  | { kind: 'finished'; job: JobView }
  | { kind: 'unknown' };

/** What `showJob` finds. */
export type ShowResult =
  | { kind: 'found'; job: JobView; image: KeptImage; canUpscale: boolean }
  /** The job exists but has no image to show (not delivered, failed, or delivered before images were kept). */
  | { kind: 'no_image'; job: JobView }
  | { kind: 'unknown' };

/** Who acts on a community's settings or someone's job, with the rights the adapter established. */
export interface Actor extends Requester {
  /** The platform says so (Discord Manage Server, Slack workspace admin or owner) or ADMIN_USER_IDS lists them. */
  isCommunityAdmin: boolean;
}

/** The operator's configuration that a community's settings fall back to (for `settings show`). */
export interface OperatorDefaults {
  provider: ProviderId;
  model: string | undefined;
  dailyCredits: number;
}

/** Community governance: settings, blocked terms, the moderation log, cancel and show. */
export interface CommunityControls {
  /**
   * Checks a request before the adapter posts anything public: the channel against the community's
   * allowed channels (a thread counts as its parent `parentChannelId`), then the prompt against the
   * operator's and the community's blocked terms. A block is recorded in the moderation log.
   * `start` makes the same checks, so skipping this only loses the privacy of the refusal.
   */
  screen(request: { prompt: string; requester: Requester; origin: Origin; parentChannelId?: string }): Promise<RequestRefusal | undefined>;
  /** `communityKey`'s settings (`discord:<guild>`, `slack:<team>`); empty when none were set. */
  communitySettings(communityKey: string): Promise<CommunitySettings>;
  /**
   * Checks and applies an admin's change, recording who made it. Throws `invalid_request` with the
   * reason (unknown provider or model, a blocked term that cannot be used, too many entries…) and
   * changes nothing then. The adapter checks that `actor` is an admin first.
   */
  changeSettings(communityKey: string, change: SettingsChange, actor: Requester): Promise<CommunitySettings>;
  /** The latest recorded settings changes, newest first. */
  settingsChanges(communityKey: string, limit?: number): Promise<SettingsChangeRecord[]>;
  /** Moderation log entries, newest first. */
  moderationLog(filter: ModerationFilter): Promise<ModerationEvent[]>;
  /** What a community's settings fall back to. */
  operatorDefaults(): OperatorDefaults;
  /**
   * `jobReference` (here and in `showJob`) is a job id, or the start of one (at least 6 characters,
   * as `/jobs` shows them) among the caller's own latest jobs.
   *
   * Cancels the job for `actor` (its requester, or an admin): the job ends at once wherever it runs,
   * is refunded, and its pending message is ended by `Delivery.cancelled`. A result that arrives
   * later is never posted.
   */
  cancel(jobReference: string, actor: Actor): Promise<CancelResult>;
  /**
   * A finished job's image as it was posted, from the store (the provider's URL may have expired).
   * Jobs of another community are `unknown` unless `requester` made them.
   */
  showJob(jobReference: string, requester: Requester): Promise<ShowResult>;
}

/** `discord:123` — the key quotas and admin lists use. */
export function requesterKey(requester: Pick<Requester, 'platform' | 'userId'>): string {
  return `${requester.platform}:${requester.userId}`;
}
