// The seam each chat platform implements so the runner can report progress, results and failures.
import type { SerializedError } from './errors.ts';
import type { ImageMimeType } from './image-type.ts';
import type { Intake } from './job-store.ts';
import type { AspectRatio, Origin, OutputFormat, Platform, ProviderId, Resolution } from './request.ts';

/** What a user asked for, as shown next to progress and results. */
export interface JobSummary {
  jobId: string;
  prompt: string;
  provider: ProviderId;
  model: string;
  aspectRatio: AspectRatio | undefined;
  resolution: Resolution;
  outputFormat: OutputFormat;
  referenceCount: number;
  /** Platform-qualified requester id (`discord:123`). */
  requesterKey: string;
  /** The provider the request was for, when the job failed over from it to `provider` (PROVIDER_FALLBACKS). */
  failedOverFrom?: ProviderId;
  /** True when the user chose `provider`; false when the bot used its default (adapters then name it only after a failover). */
  providerNamed: boolean;
}

/** A user's credits, as `/quota` shows them. */
export interface QuotaBalance {
  /** Credits left today; `Infinity` for admins. */
  remaining: number;
  /** Credits held by jobs still in flight. */
  reserved: number;
  /** The daily allowance. */
  dailyCredits: number;
  /** When the allowance resets (ms since epoch, next UTC midnight). */
  resetsAt: number;
  /** True for ids in ADMIN_USER_IDS (no limit). */
  unlimited: boolean;
}

export type JobPhase = 'queued' | 'submitted' | 'running';

/** A progress report; the runner throttles these before they reach the platform. */
export interface JobProgress {
  summary: JobSummary;
  phase: JobPhase;
  /** 1-based place in the user's or the provider's queue while `queued`. */
  queuePosition?: number;
  /** Why the job is queued ("you have 2 images in progress", "the provider is busy"). */
  queueReason?: 'user_limit' | 'provider_limit';
  /** 0-100 when the provider reports it. */
  percent?: number;
  /** Time since the job was accepted. */
  elapsedMs: number;
}

/** The finished image, already downloaded and checked; adapters re-encode it if it exceeds their limit. */
export interface JobImage {
  data: Uint8Array;
  mimeType: ImageMimeType;
  /** Suggested file name (`nano-imagine-<job>.png`). */
  filename: string;
}

export interface JobResult {
  summary: JobSummary;
  image: JobImage;
  /** Credits charged for this image. */
  cost: number;
  /** The requester's balance after the charge. */
  balance: QuotaBalance;
  /** True when the same model can make a 4K version (the adapter shows a 4K button). */
  canUpscale: boolean;
  elapsedMs: number;
}

/** What `deliver` shows besides the image: the outcome of a job whose image is already posted. */
export type DeliveredOutcome = Omit<JobResult, 'image'> & {
  /** Where the image was found. */
  receipt: DeliveryReceipt;
};

export interface JobFailure {
  summary: JobSummary;
  error: SerializedError;
  /** Credits given back (0 when nothing had been charged). */
  refunded: number;
}

export interface JobCancelledNotice {
  summary: JobSummary;
  /** Platform user id of who cancelled (the requester or an admin). */
  cancelledByUserId: string;
  /** True when the requester cancelled their own job. */
  byRequester: boolean;
  /** Credits given back. */
  refunded: number;
}

/** Where a delivered result was posted, recorded so it is never posted twice. */
export interface DeliveryReceipt {
  /** Platform id of the message holding the image. */
  messageId: string;
}

/** One per platform. Every method receives the job's stored `Origin`, so it works after a restart. */
export interface Delivery {
  readonly platform: Platform;
  /** Shows progress in the user's pending message. Failures are logged, never fatal to the job. */
  progress(origin: Origin, progress: JobProgress): Promise<void>;
  /** Posts the image into the originating thread/channel and ends the pending message. */
  deliver(origin: Origin, result: JobResult): Promise<DeliveryReceipt>;
  /** Ends the pending message with the failure explained (and the refund). */
  fail(origin: Origin, failure: JobFailure): Promise<void>;
  /**
   * Ends the pending message of a job someone cancelled: says who (a mention that pings nobody) and
   * that the credits came back. Whichever process handled the cancel calls it; the job's own
   * process has stopped touching the message by then.
   */
  cancelled(origin: Origin, notice: JobCancelledNotice): Promise<void>;
  /**
   * This process stopped working on the job without ending it: its lease went to another process,
   * or someone cancelled it through another process. Progress edits still queued here are dropped,
   * so none of them overwrites what the new owner or the canceller shows. Synchronous, never throws.
   */
  abandoned?(origin: Origin, jobId: string): void;
  /**
   * Ends a pending message whose request never became a job because the bot stopped first (see
   * `ImagineService.accept`). Nothing was charged; the user is asked to try again.
   */
  interrupted?(origin: Origin, notice: { prompt: string }): Promise<void>;
  /**
   * Finishes a request another process (or this one, before a restart) acknowledged but did not
   * turn into a job, from the adapter's own `payload`: fetches the attachments again, starts the job
   * with the intake's dedupe key and answers the original pending message. When that is no longer
   * possible it ends the message with an explanation and no charge, and forgets the intake.
   */
  resumeIntake?(intake: Intake): Promise<void>;
  /**
   * After a crash between posting and recording, looks for an already-posted result of `jobId`
   * so recovery does not post it twice. Undefined when the platform cannot tell.
   */
  findDelivered?(origin: Origin, jobId: string): Promise<DeliveryReceipt | undefined>;
  /**
   * Ends the pending message of a job whose image `findDelivered` found already posted (its process
   * died between posting and recording it): shows what `deliver` would have shown, without posting
   * the image again. Platforms whose pending message is the posted result itself need not implement it.
   */
  confirmDelivered?(origin: Origin, outcome: DeliveredOutcome): Promise<void>;
}
