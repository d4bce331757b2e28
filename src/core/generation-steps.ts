// The three steps every generation takes (submit, wait for the task, fetch the image), shared by the runner and the CLI.
import type { Dispatcher } from 'undici';
import { resolveResultImage } from './download-image.ts';
import { BotError, toBotError } from './errors.ts';
import { convertImageFormat } from './fit-image.ts';
import type { ImageMimeType } from './image-type.ts';
import type { PollScheduler } from './poll-scheduler.ts';
import type { ImageProvider, PollHint, ProviderRequest, ResultImage, SubmitOutcome, TaskHandle } from './provider.ts';
import type { OutputFormat, Resolution } from './request.ts';

/** A downloaded, checked result image. */
export interface FetchedImage {
  data: Uint8Array;
  mimeType: ImageMimeType;
}

/** What a create call answered (the provider's own outcome, reported cost included). */
export type SubmitResult = SubmitOutcome;

/** Sends the create call once; failures become `BotError`s (never retried: a retry could charge twice). */
export async function submitRequest(provider: ImageProvider, request: ProviderRequest, signal?: AbortSignal): Promise<SubmitResult> {
  try {
    return await provider.submit(request, signal);
  } catch (error) {
    throw toBotError(error, 'provider_failed');
  }
}

export interface AwaitTaskOptions {
  scheduler: PollScheduler;
  resolution: Resolution;
  deadlineAt: number;
  hint?: PollHint;
  signal?: AbortSignal;
  onProgress?: (update: { phase: 'queued' | 'running'; progress?: number }) => void;
}

/** Hands the task to the shared scheduler and resolves with the provider's result images. */
export async function awaitTask(provider: ImageProvider, task: TaskHandle, options: AwaitTaskOptions): Promise<ResultImage[]> {
  return options.scheduler.track(provider, task, {
    deadlineAt: options.deadlineAt,
    expectedSeconds: provider.capabilities.typicalSeconds[options.resolution],
    ...(options.hint === undefined ? {} : { hint: options.hint }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
}

export interface FetchImageOptions {
  outputFormat: OutputFormat;
  dispatcher?: Dispatcher;
  timeoutMs?: number;
  maxBytes?: number;
  signal?: AbortSignal;
  /** Download attempts for retryable failures (network, 5xx, timeout). */
  attempts?: number;
  /** Told the size of a result image downloaded from its URL (not of bytes the provider sent inline). */
  onDownloaded?: (bytes: number) => void;
}

/**
 * Downloads the first result image (provider URLs expire, so the bytes are what we keep), checks it
 * is an image, and converts it when the provider could not produce the requested format itself.
 */
export async function fetchResultImage(images: readonly ResultImage[], options: FetchImageOptions): Promise<FetchedImage> {
  const first = images[0];
  if (first === undefined) throw new BotError('provider_failed', 'The provider reported success but returned no image');
  const attempts = Math.max(1, options.attempts ?? 3);
  let lastError: BotError | undefined;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      const image = await resolveResultImage(first, {
        ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      if ('url' in first) options.onDownloaded?.(image.data.byteLength);
      return await convertImageFormat(image.data, options.outputFormat);
    } catch (error) {
      lastError = toBotError(error, 'download_failed');
      if (!lastError.retryable || options.signal?.aborted) break;
    }
  }
  throw lastError ?? new BotError('download_failed', 'The result image could not be downloaded');
}
