// Fetches a result image over HTTP with a deadline and a byte cap, and checks by its bytes that it is an image.
import { interceptors, request, type Dispatcher } from 'undici';
import { defaultDispatcher } from './http-dispatcher.ts';
import { BotError } from './errors.ts';
import { describeNonImage, sniffImageType, type ImageMimeType } from './image-type.ts';
import type { ResultImage } from './provider.ts';
import { formatBytes, formatDuration } from './format.ts';

/** Options for `downloadImage` and `resolveResultImage`. */
export interface DownloadImageOptions {
  /** undici dispatcher (tests, proxies); default our shared agent (see http-dispatcher.ts). */
  dispatcher?: Dispatcher;
  /** Limit on the whole download, headers and body; default 60 s. */
  timeoutMs?: number;
  /** Largest accepted image; default 50 MB. */
  maxBytes?: number;
  /** Aborting rejects with BotError('cancelled'). */
  signal?: AbortSignal;
  /** Extra request headers (some result hosts want the provider's Authorization). */
  headers?: Record<string, string>;
  /** Redirects followed before giving up; default 5. */
  maxRedirections?: number;
}

/** Image bytes whose type was sniffed from the bytes themselves. */
export interface DownloadedImage {
  data: Uint8Array;
  mimeType: ImageMimeType;
}

/** Default cap: comfortably above a 4K PNG, far below what could exhaust memory. */
export const defaultMaxImageBytes = 50_000_000;
const defaultTimeoutMs = 60_000;

/** "not an image (an HTML page)", or the description itself when it already says what is wrong. */
export function describeNotAnImage(bytes: Uint8Array): string {
  const description = describeNonImage(bytes);
  return description.startsWith('not ') ? description : `not an image (${description})`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an invalid URL';
  }
}

function downloadError(url: string, reason: string, retryable: boolean, extra: { status?: number; cause?: unknown } = {}): BotError {
  return new BotError('download_failed', `Could not download the image from ${hostOf(url)}: ${reason}`, { retryable, ...extra });
}

/** Status codes where the same download may work a moment later. */
function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** Reads `body` until it ends, failing as soon as more than `maxBytes` have arrived. */
async function readCapped(
  body: Dispatcher.ResponseData['body'],
  maxBytes: number,
  url: string,
  declaredBytes: number | undefined,
): Promise<Uint8Array> {
  const tooLarge = () => {
    body.destroy();
    return downloadError(url, `the image is larger than ${formatBytes(maxBytes)}`, false);
  };
  if (declaredBytes !== undefined) {
    // The size is known: fill one buffer as chunks arrive instead of keeping every chunk and
    // copying them all at the end, which briefly doubles memory per download.
    const data = new Uint8Array(declaredBytes);
    let offset = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (offset + chunk.byteLength > declaredBytes) throw tooLarge();
      data.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return offset === declaredBytes ? data : data.subarray(0, offset);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    if (total > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  const data = Buffer.concat(chunks, total);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Downloads `url` (http or https), following a few redirects. Fails with BotError('download_failed')
 * saying what went wrong ("HTTP 404", "timed out after 60 s", "larger than 50 MB", "not an image
 * (an HTML page)"); only network failures, 5xx/408/429 answers and timeouts are retryable.
 */
export async function downloadImage(url: string, options: DownloadImageOptions = {}): Promise<DownloadedImage> {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const maxBytes = options.maxBytes ?? defaultMaxImageBytes;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw downloadError(url, 'the address is not a valid URL', false);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw downloadError(url, `${parsed.protocol} addresses are not downloaded (only http and https)`, false);
  }
  if (options.signal?.aborted) throw new BotError('cancelled', 'The image download was cancelled');

  // One controller for both the deadline and the caller's signal, so the request and the body
  // stream are torn down by whichever comes first.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onCallerAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const dispatcher = (options.dispatcher ?? defaultDispatcher()).compose(
    interceptors.redirect({ maxRedirections: options.maxRedirections ?? 5 }),
  );
  try {
    const response = await request(parsed, {
      method: 'GET',
      dispatcher,
      signal: controller.signal,
      headers: { accept: 'image/png, image/jpeg, image/webp, image/*;q=0.8', ...options.headers },
    });
    if (response.statusCode >= 300) {
      await response.body.dump().catch(() => undefined);
      const status = response.statusCode;
      if (status < 400) throw downloadError(url, `too many redirects (HTTP ${status})`, false, { status });
      throw downloadError(url, `HTTP ${status}`, isRetryableStatus(status), { status });
    }
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      response.body.destroy();
      throw downloadError(url, `the image is larger than ${formatBytes(maxBytes)} (${formatBytes(declared)})`, false);
    }
    const data = await readCapped(response.body, maxBytes, url, Number.isInteger(declared) && declared >= 0 ? declared : undefined);
    const mimeType = sniffImageType(data);
    if (mimeType === undefined) throw downloadError(url, describeNotAnImage(data), false);
    return { data, mimeType };
  } catch (error) {
    if (options.signal?.aborted) throw new BotError('cancelled', 'The image download was cancelled', { cause: error });
    if (timedOut) throw downloadError(url, `timed out after ${formatDuration(timeoutMs)}`, true, { cause: error });
    if (error instanceof BotError) throw error;
    if (error instanceof Error && /redirect loop/i.test(error.message)) {
      throw downloadError(url, 'the server redirects in a loop', false, { cause: error });
    }
    const code = error instanceof Error && 'code' in error ? ` (${String(error.code)})` : '';
    const message = error instanceof Error ? error.message : String(error);
    throw downloadError(url, `network error: ${message}${code}`, true, { cause: error });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCallerAbort);
  }
}

/**
 * The bytes of a provider result: downloaded when it is a URL, checked by sniffing when the provider
 * sent bytes (a wrong declared type is corrected; non-image bytes are the provider's failure).
 */
export async function resolveResultImage(image: ResultImage, options: DownloadImageOptions = {}): Promise<DownloadedImage> {
  if ('url' in image) return downloadImage(image.url, options);
  const maxBytes = options.maxBytes ?? defaultMaxImageBytes;
  if (image.data.byteLength > maxBytes) {
    throw new BotError('provider_failed', `The provider's image is larger than ${formatBytes(maxBytes)}`, { retryable: false });
  }
  const mimeType = sniffImageType(image.data);
  if (mimeType === undefined) {
    throw new BotError('provider_failed', `The provider's result is ${describeNotAnImage(image.data)}`, { retryable: false });
  }
  return { data: image.data, mimeType };
}
