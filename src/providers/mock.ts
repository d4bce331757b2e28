// The offline `mock` provider: no key, no network; async tasks in memory that finish with a real rendered image.
import { randomUUID } from 'node:crypto';
import type { ProviderCapabilities } from '../core/capabilities.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { BotError } from '../core/errors.ts';
import type { ImageProvider, PollOutcome, ProviderRequest, ResultImage, SubmitOutcome, TaskHandle } from '../core/provider.ts';
import { aspectRatios, outputFormats, resolutions } from '../core/request.ts';
import { renderMockImage } from './mock-render.ts';

/** Options for `createMockProvider`. */
export interface MockProviderOptions {
  /** How long each task takes; default 3 s. */
  delayMs?: number;
  /** Time source for task ages; default `systemClock`. */
  clock?: Clock;
}

/** One task, kept in memory only: mock tasks do not survive a restart. */
interface MockTask {
  request: ProviderRequest;
  submittedAt: number;
  /** Set at the first poll after the delay; rendering happens once per task. */
  images?: Promise<ResultImage[]>;
  /** When the result was first handed out, for pruning old tasks. */
  completedAt?: number;
}

/** Share of the delay a task spends `queued` before it reports `running`. */
const queuedShare = 0.1;
/** Finished tasks (and their image bytes) are forgotten this long after completing. */
const retentionMs = 15 * 60_000;

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
 */
export function createMockProvider(options: MockProviderOptions = {}): ImageProvider {
  const delayMs = Math.max(0, options.delayMs ?? 3_000);
  const clock = options.clock ?? systemClock;
  const tasks = new Map<string, MockTask>();

  function prune(now: number): void {
    for (const [taskId, task] of tasks) {
      if (task.completedAt !== undefined && now - task.completedAt > retentionMs) tasks.delete(taskId);
    }
  }

  function checkSignal(signal: AbortSignal | undefined): void {
    if (signal?.aborted) throw new BotError('cancelled', 'The mock request was cancelled');
  }

  return {
    id: 'mock',
    capabilities: mockCapabilities(delayMs),

    async submit(request: ProviderRequest, signal?: AbortSignal): Promise<SubmitOutcome> {
      checkSignal(signal);
      const now = clock.now();
      prune(now);
      const taskId = `mock-${randomUUID()}`;
      tasks.set(taskId, { request, submittedAt: now });
      return {
        kind: 'task',
        task: { providerId: 'mock', taskId, model: request.model, submittedAt: now },
        hint: { etaSeconds: delayMs / 1000 },
      };
    },

    async poll(handle: TaskHandle, signal?: AbortSignal): Promise<PollOutcome> {
      checkSignal(signal);
      const task = tasks.get(handle.taskId);
      if (task === undefined) {
        throw new BotError(
          'provider_failed',
          `mock: unknown task ${handle.taskId} (mock tasks live in memory and do not survive a restart)`,
          { retryable: false },
        );
      }
      const elapsed = clock.now() - task.submittedAt;
      if (elapsed < delayMs) {
        const hint = { etaSeconds: (delayMs - elapsed) / 1000 };
        if (elapsed < delayMs * queuedShare) return { status: 'pending', phase: 'queued', hint };
        const progress = Math.min(99, Math.max(1, Math.floor((elapsed / delayMs) * 100)));
        return { status: 'pending', phase: 'running', progress, hint };
      }
      task.images ??= renderMockImage({ ...task.request, aspectRatio: task.request.aspectRatio }).then((image) => [image]);
      try {
        const images = await task.images;
        task.completedAt ??= clock.now();
        return { status: 'succeeded', images };
      } catch (error) {
        return {
          status: 'failed',
          error: new BotError('provider_failed', 'mock: rendering the image failed', { cause: error, retryable: false }),
        };
      }
    },
  };
}
