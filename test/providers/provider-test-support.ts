// Helpers for provider tests: reference images, request building, driving a task to its end, catching BotErrors.
import sharp from 'sharp';
import { request as httpRequest, type Dispatcher } from 'undici';
import { BotError } from '../../src/core/errors.ts';
import type { ImageProvider, PollOutcome, ProviderRequest, ResultImage, SubmitOutcome, ValidatedReference } from '../../src/core/provider.ts';

let cachedPng: Promise<Uint8Array> | undefined;
let cachedJpeg: Promise<Uint8Array> | undefined;

/** A small real PNG to use as a reference file. */
export function referencePng(): Promise<Uint8Array> {
  cachedPng ??= sharp({ create: { width: 24, height: 16, channels: 3, background: { r: 10, g: 120, b: 200 } } })
    .png()
    .toBuffer()
    .then((buffer) => new Uint8Array(buffer));
  return cachedPng;
}

/** A small real JPEG to use as a reference file. */
export function referenceJpeg(): Promise<Uint8Array> {
  cachedJpeg ??= sharp({ create: { width: 16, height: 24, channels: 3, background: { r: 200, g: 60, b: 20 } } })
    .jpeg()
    .toBuffer()
    .then((buffer) => new Uint8Array(buffer));
  return cachedJpeg;
}

/** A validated request with sensible defaults. */
export function providerRequest(model: string, overrides: Partial<ProviderRequest> = {}): ProviderRequest {
  return { prompt: 'A banana astronaut on the moon', references: [], resolution: '1K', outputFormat: 'png', model, ...overrides };
}

/** A URL-only reference. */
export function urlReference(url: string): ValidatedReference {
  return { url, source: 'url-argument' };
}

/** A bytes-only reference, typed like validation leaves it. */
export function fileReference(data: Uint8Array, mimeType: 'image/png' | 'image/jpeg', filename?: string): ValidatedReference {
  return { data, mimeType, source: 'attachment', ...(filename === undefined ? {} : { filename }) };
}

/** Everything seen while driving a submit to its end. */
export interface DrivenResult {
  final: { status: 'succeeded'; images: ResultImage[] } | { status: 'failed'; outcome: PollOutcome & { status: 'failed' } };
  pending: Array<PollOutcome & { status: 'pending' }>;
  submitted: SubmitOutcome;
}

/** Submits, then polls every `intervalMs` until the task ends or `maxMs` passes. */
export async function submitAndDrive(
  provider: ImageProvider,
  request: ProviderRequest,
  options: { intervalMs?: number; maxMs?: number } = {},
): Promise<DrivenResult> {
  const submitted = await provider.submit(request);
  if (submitted.kind === 'completed') return { final: { status: 'succeeded', images: submitted.images }, pending: [], submitted };
  const pending: DrivenResult['pending'] = [];
  const deadline = Date.now() + (options.maxMs ?? 5000);
  while (Date.now() < deadline) {
    const outcome = await provider.poll(submitted.task);
    if (outcome.status === 'succeeded') return { final: outcome, pending, submitted };
    if (outcome.status === 'failed') return { final: { status: 'failed', outcome }, pending, submitted };
    pending.push(outcome);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 20));
  }
  throw new Error(`task ${submitted.task.taskId} did not finish within ${options.maxMs ?? 5000} ms`);
}

/** The BotError a promise rejects with (fails the test if it resolves or throws something else). */
export async function botErrorFrom(promise: Promise<unknown>): Promise<BotError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BotError) return error;
    throw new Error(`expected a BotError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a BotError, but the call succeeded');
}

/** Downloads a result URL the way the bot would. */
export async function download(url: string, dispatcher: Dispatcher): Promise<{ status: number; bytes: Uint8Array; contentType: string | undefined }> {
  const answer = await httpRequest(url, { dispatcher });
  const bytes = new Uint8Array(await answer.body.arrayBuffer());
  const contentType = answer.headers['content-type'];
  return { status: answer.statusCode, bytes, contentType: Array.isArray(contentType) ? contentType[0] : contentType };
}

/** The URL of a result image (the fakes always answer with URLs). */
export function urlOf(image: ResultImage | undefined): string {
  if (image === undefined || !('url' in image)) throw new Error('expected a result image with a URL');
  return image.url;
}
