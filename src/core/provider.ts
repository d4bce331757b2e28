// The seam every image provider implements: submit a validated request, poll a task, report images.
import type { ProviderCapabilities } from './capabilities.ts';
import type { BotError } from './errors.ts';
import type { ImageMimeType } from './image-type.ts';
import type { ProviderTerms, ReportedCost } from './provider-terms.ts';
import type { AspectRatio, OutputFormat, ProviderId, Reference, Resolution } from './request.ts';

/** A reference after validation: bytes (when held) have a sniffed type. */
export interface ValidatedReference extends Reference {
  /** Sniffed from `data`; undefined for URL-only references. */
  mimeType?: ImageMimeType;
}

/** What a provider receives: validated, defaults resolved, nothing about who asked. */
export interface ProviderRequest {
  prompt: string;
  references: ValidatedReference[];
  /** Undefined means the provider's own default. */
  aspectRatio?: AspectRatio;
  resolution: Resolution;
  outputFormat: OutputFormat;
  /** Always a model the provider declared. */
  model: string;
}

/** A provider-side task, serializable so polling can resume after a restart. */
export interface TaskHandle {
  providerId: ProviderId;
  /** The provider's task id. */
  taskId: string;
  model: string;
  /** When the task was created (ms since epoch). */
  submittedAt: number;
}

/** Pacing advice from the provider, when it gives any. */
export interface PollHint {
  /** The provider's recommended wait before the next poll. */
  nextPollInMs?: number;
  /** The provider's estimate of seconds until the result is ready. */
  etaSeconds?: number;
}

/** A finished image as the provider reports it: a URL to download (they expire) or bytes. */
export type ResultImage = { url: string } | { data: Uint8Array; mimeType: ImageMimeType };

export type SubmitOutcome = (
  /** The provider answered with the finished image(s) directly. */
  | { kind: 'completed'; images: ResultImage[] }
  /** The provider created a task that must be polled. */
  | { kind: 'task'; task: TaskHandle; hint?: PollHint }
) & {
  /** What the provider says the task costs, when its answer reports it (nbp-cloud's `credits_cost`). */
  cost?: ReportedCost;
};

export type PollOutcome =
  | {
      status: 'pending';
      /** 'queued' before the provider starts work, 'running' while it generates. */
      phase: 'queued' | 'running';
      /** 0-100 when the provider reports it. */
      progress?: number;
      hint?: PollHint;
    }
  | { status: 'succeeded'; images: ResultImage[] }
  | { status: 'failed'; error: BotError };

/** One image provider. Instances are created by `createXProvider({ apiKey, baseUrl, dispatcher, clock })`. */
export interface ImageProvider {
  /** The id users and `.env` use. */
  readonly id: ProviderId;
  /** Declared limits; the core validates requests against them before calling `submit`. */
  readonly capabilities: ProviderCapabilities;
  /** What its documentation says about refused calls, refunds and costs; unset is `unknownTerms` (nothing assumed). */
  readonly terms?: ProviderTerms;
  /**
   * Sends one create call. Never retried internally when its outcome is unknown (a retry could
   * charge twice). Throws `BotError` with a provider_* code on failure.
   */
  submit(request: ProviderRequest, signal?: AbortSignal): Promise<SubmitOutcome>;
  /** Asks for a task's state once. Safe to retry. Throws `BotError` when the poll itself fails. */
  poll(task: TaskHandle, signal?: AbortSignal): Promise<PollOutcome>;
}
