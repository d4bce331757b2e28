// The offline `mock` provider: no key, no network; its task ids carry the whole task, so any process can poll them.
import { randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { z } from 'zod';
import type { ProviderCapabilities } from '../core/capabilities.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { BotError } from '../core/errors.ts';
import type { ImageProvider, PollOutcome, ProviderRequest, ResultImage, SubmitOutcome, TaskHandle } from '../core/provider.ts';
import { aspectRatios, outputFormats, resolutions } from '../core/request.ts';
import { referenceTile, referenceTileBytes, renderMockImage, type MockRenderRequest } from './mock-render.ts';

/** Options for `createMockProvider`. */
export interface MockProviderOptions {
  /** How long each task takes; default 3 s. Fixed per task when it is submitted. */
  delayMs?: number;
  /** Time source for task ages; default `systemClock`. */
  clock?: Clock;
}

/** Every task id starts with this; the version lets a later format recognise (or refuse) these ids. */
const taskIdPrefix = 'mock-v1.';
/**
 * Inflating an id stops here, so a hostile id cannot exhaust memory. The largest real task is a
 * 5,000-character prompt (at most ~30 kB once JSON-escaped) plus eight 256-character tiles.
 */
const maxTaskJsonBytes = 64 * 1024;

/**
 * Everything a task is, as carried inside its id: a poll from any process, before or after a
 * restart, decodes it and answers exactly as the submitting process would have.
 */
const mockTaskSchema = z.object({
  /** When the task was created (ms since epoch): progress and completion are measured from it. */
  submittedAt: z.number(),
  /** How long the task takes, chosen at submission like a remote service would. */
  delayMs: z.number().min(0),
  /** Keeps two identical submissions in the same millisecond apart; not part of the picture. */
  nonce: z.string(),
  prompt: z.string(),
  aspectRatio: z.enum(aspectRatios).optional(),
  resolution: z.enum(resolutions),
  outputFormat: z.enum(outputFormats),
  model: z.string(),
  /** URL-only references: counted on the caption, never fetched. */
  urlReferenceCount: z.number().int().min(0),
  /** Base64url 8×8 RGB stand-ins for the byte references (never the bytes themselves). */
  referenceTiles: z.array(z.string()),
});
type MockTask = z.infer<typeof mockTaskSchema>;

/** A task's render in this process, so repeated polls return the same bytes without redrawing. */
interface CachedRender {
  images: Promise<ResultImage[]>;
  renderedAt: number;
}

/** Share of the delay a task spends `queued` before it reports `running`. */
const queuedShare = 0.1;
/** Renders are forgotten this long after they started; a later poll simply draws the image again. */
const retentionMs = 15 * 60_000;
/** At most this many renders are kept: a 4K PNG can weigh tens of megabytes. */
const maxCachedRenders = 8;
/** How much of an undecodable id an error message quotes: ids can be tens of kilobytes long. */
const quotedIdLength = 48;

/** Packs a task into its id: deflated JSON, base64url, so long prompts stay reasonably short. */
function encodeTaskId(task: MockTask): string {
  return taskIdPrefix + deflateRawSync(Buffer.from(JSON.stringify(task), 'utf8')).toString('base64url');
}

/** Unpacks a task id made by `encodeTaskId`; undefined for anything else (foreign, truncated, tampered). */
function decodeTaskId(taskId: string): { task: MockTask; tiles: Uint8Array[] } | undefined {
  if (!taskId.startsWith(taskIdPrefix)) return undefined;
  const packed = taskId.slice(taskIdPrefix.length);
  // Buffer's base64 decoding skips characters it does not know; a strict check refuses them instead.
  if (!/^[A-Za-z0-9_-]+$/.test(packed)) return undefined;
  try {
    const json = inflateRawSync(Buffer.from(packed, 'base64url'), { maxOutputLength: maxTaskJsonBytes }).toString('utf8');
    const parsed = mockTaskSchema.safeParse(JSON.parse(json));
    if (!parsed.success) return undefined;
    const tiles = parsed.data.referenceTiles.map((tile) => new Uint8Array(Buffer.from(tile, 'base64url')));
    if (tiles.some((tile) => tile.byteLength !== referenceTileBytes)) return undefined;
    return { task: parsed.data, tiles };
  } catch {
    return undefined;
  }
}

/** The mock's declared limits: everything the real providers offer, so any request shape can be tried offline. */
function mockCapabilities(delayMs: number): ProviderCapabilities {
  const typical = Math.max(1, Math.ceil(delayMs / 1000));
  return {
    displayName: 'Mock (offline)',
    models: [
      { id: 'mock-banana', aspectRatios, resolutions, outputFormats },
      // A second model without 4K exercises the "this resolution needs another model" paths.
      { id: 'mock-banana-lite', aspectRatios, resolutions: ['1K', '2K'], outputFormats },
    ],
    defaultModel: 'mock-banana',
    maxPromptLength: 5_000,
    references: {
      maxCount: 8,
      maxBytesPerFile: 30_000_000,
      mimeTypes: ['image/png', 'image/jpeg', 'image/webp'],
      acceptsUrls: true,
      acceptsFiles: true,
    },
    limitContext: '',
    completion: 'async',
    typicalSeconds: { '1K': typical, '2K': typical, '4K': typical },
  };
}

/**
 * Creates the mock provider. Tasks report `queued`, then `running` with progress rising with
 * elapsed time, and succeed `delayMs` after submission with a PNG or JPEG drawn from the prompt.
 * Like a remote service, a task lives outside the process: its id encodes the request (with
 * small stand-ins for reference images) and its start time, so another process, or this one
 * after a restart, polls it to the same progress and the same image bytes.
 */
export function createMockProvider(options: MockProviderOptions = {}): ImageProvider {
  const delayMs = Math.max(0, options.delayMs ?? 3_000);
  const clock = options.clock ?? systemClock;
  const renders = new Map<string, CachedRender>();

  function prune(now: number): void {
    for (const [taskId, cached] of renders) {
      if (now - cached.renderedAt > retentionMs) renders.delete(taskId);
    }
    // Map order is insertion order, so the oldest renders go first. Dropping one that is still in
    // flight is harmless: its pollers keep their promise and a later poll draws it again.
    for (const taskId of renders.keys()) {
      if (renders.size <= maxCachedRenders) break;
      renders.delete(taskId);
    }
  }

  function checkSignal(signal: AbortSignal | undefined): void {
    if (signal?.aborted) throw new BotError('cancelled', 'The mock request was cancelled');
  }

  /** The task's image, drawn once per process while cached. */
  function render(taskId: string, task: MockTask, tiles: Uint8Array[]): Promise<ResultImage[]> {
    const cached = renders.get(taskId);
    if (cached !== undefined) return cached.images;
    const renderRequest: MockRenderRequest = {
      prompt: task.prompt,
      aspectRatio: task.aspectRatio,
      resolution: task.resolution,
      outputFormat: task.outputFormat,
      model: task.model,
      referenceTiles: tiles,
      urlReferenceCount: task.urlReferenceCount,
    };
    const images = renderMockImage(renderRequest).then((image): ResultImage[] => [image]);
    const now = clock.now();
    renders.set(taskId, { images, renderedAt: now });
    prune(now);
    return images;
  }

  return {
    id: 'mock',
    capabilities: mockCapabilities(delayMs),
    // Offline: it never refuses for key or balance, and it never charges anyone.
    terms: { notAcceptedStatuses: [], refundsFailedTasks: true, freeOfCharge: true },

    async submit(request: ProviderRequest, signal?: AbortSignal): Promise<SubmitOutcome> {
      checkSignal(signal);
      const referenceTiles: string[] = [];
      for (const reference of request.references) {
        if (reference.data === undefined) continue;
        const tile = await referenceTile(reference.data);
        if (tile !== undefined) referenceTiles.push(Buffer.from(tile).toString('base64url'));
      }
      checkSignal(signal);
      const now = clock.now();
      const task: MockTask = {
        submittedAt: now,
        delayMs,
        nonce: randomBytes(6).toString('base64url'),
        prompt: request.prompt,
        ...(request.aspectRatio === undefined ? {} : { aspectRatio: request.aspectRatio }),
        resolution: request.resolution,
        outputFormat: request.outputFormat,
        model: request.model,
        urlReferenceCount: request.references.filter((reference) => reference.data === undefined).length,
        referenceTiles,
      };
      return {
        kind: 'task',
        task: { providerId: 'mock', taskId: encodeTaskId(task), model: request.model, submittedAt: now },
        hint: { etaSeconds: delayMs / 1000 },
      };
    },

    async poll(handle: TaskHandle, signal?: AbortSignal): Promise<PollOutcome> {
      checkSignal(signal);
      const decoded = decodeTaskId(handle.taskId);
      if (decoded === undefined) {
        const quoted = handle.taskId.length > quotedIdLength ? `${handle.taskId.slice(0, quotedIdLength)}…` : handle.taskId;
        throw new BotError('provider_failed', `mock: unknown task ${quoted} (not a task id this mock provider issues)`, {
          retryable: false,
        });
      }
      const { task, tiles } = decoded;
      const elapsed = clock.now() - task.submittedAt;
      if (elapsed < task.delayMs) {
        const hint = { etaSeconds: (task.delayMs - elapsed) / 1000 };
        if (elapsed < task.delayMs * queuedShare) return { status: 'pending', phase: 'queued', hint };
        const progress = Math.min(99, Math.max(1, Math.floor((elapsed / task.delayMs) * 100)));
        return { status: 'pending', phase: 'running', progress, hint };
      }
      try {
        return { status: 'succeeded', images: await render(handle.taskId, task, tiles) };
      } catch (error) {
        return {
          status: 'failed',
          error: new BotError('provider_failed', 'mock: rendering the image failed', { cause: error, retryable: false }),
        };
      }
    },
  };
}
