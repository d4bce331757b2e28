// An in-memory ImageProvider whose tasks finish at scripted times, for driving the poll scheduler in tests.
import type { ProviderCapabilities } from '../../src/core/capabilities.ts';
import type { Clock } from '../../src/core/clock.ts';
import { BotError } from '../../src/core/errors.ts';
import type { ImageProvider, PollHint, PollOutcome, TaskHandle } from '../../src/core/provider.ts';
import type { ProviderId } from '../../src/core/request.ts';

/** How one simulated task behaves. Times are absolute (clock ms). */
export interface TaskScript {
  /** When the task is done; undefined means it never finishes. */
  finishAt?: number;
  /** Ends in `{status:'failed'}` with this error instead of succeeding. */
  failWith?: BotError;
  /** Thrown by the first polls, in order, before the task answers normally. */
  pollErrors?: unknown[];
  /** Hint attached to pending answers; a function gets the current time. */
  hint?: PollHint | ((now: number) => PollHint);
  /** Start working (phase `running`) at this time; `queued` before it. */
  runningAt?: number;
}

/** What the provider saw for one task. */
export interface TaskRecord {
  submittedAt: number;
  pollTimes: number[];
  /** Time of the first poll at or after `finishAt` (when our poll saw it finished). */
  seenFinishedAt: number | undefined;
}

const capabilities: ProviderCapabilities = {
  displayName: 'Simulated',
  models: [{ id: 'simulated', aspectRatios: ['1:1'], resolutions: ['1K'], outputFormats: ['png'] }],
  defaultModel: 'simulated',
  maxPromptLength: 1000,
  references: { maxCount: 0, maxBytesPerFile: 0, mimeTypes: [], acceptsUrls: false, acceptsFiles: false },
  limitContext: '',
  completion: 'async',
  typicalSeconds: { '1K': 20, '2K': 40, '4K': 70 },
};

/**
 * Answers polls from scripts after `latencyMs` of clock time (`'hang'`: only an abort ends the
 * poll). Counts requests in flight so tests can check the scheduler's per-provider cap.
 */
export class SimulatedProvider implements ImageProvider {
  readonly capabilities = capabilities;
  readonly scripts = new Map<string, TaskScript>();
  readonly records = new Map<string, TaskRecord>();
  inFlight = 0;
  maxInFlight = 0;
  totalPolls = 0;
  abortedPolls = 0;
  #nextId = 0;

  constructor(
    readonly id: ProviderId,
    private readonly clock: Clock,
    private readonly latencyMs: number | 'hang' = 0,
  ) {}

  /** Registers a task created now (or at `submittedAt`) and returns its handle. */
  addTask(script: TaskScript, submittedAt = this.clock.now()): TaskHandle {
    this.#nextId += 1;
    const taskId = `${this.id}-${this.#nextId}`;
    this.scripts.set(taskId, { ...script, pollErrors: [...(script.pollErrors ?? [])] });
    this.records.set(taskId, { submittedAt, pollTimes: [], seenFinishedAt: undefined });
    return { providerId: this.id, taskId, model: 'simulated', submittedAt };
  }

  /** Tasks are created by `addTask`; the scheduler never submits. */
  submit(): never {
    throw new Error('SimulatedProvider tasks are created with addTask');
  }

  poll(task: TaskHandle, signal?: AbortSignal): Promise<PollOutcome> {
    this.totalPolls += 1;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise<PollOutcome>((resolve, reject) => {
      let timer: unknown;
      const onAbort = () => {
        this.inFlight -= 1;
        this.abortedPolls += 1;
        if (timer !== undefined) this.clock.clearTimeout(timer);
        reject(new BotError('cancelled', 'poll aborted'));
      };
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      const answer = () => {
        signal?.removeEventListener('abort', onAbort);
        this.inFlight -= 1;
        try {
          resolve(this.#answer(task.taskId));
        } catch (error) {
          reject(error);
        }
      };
      if (this.latencyMs === 'hang') return;
      if (this.latencyMs === 0) queueMicrotask(answer);
      else timer = this.clock.setTimeout(answer, this.latencyMs);
    });
  }

  #answer(taskId: string): PollOutcome {
    const script = this.scripts.get(taskId);
    const record = this.records.get(taskId);
    if (script === undefined || record === undefined) {
      throw new BotError('provider_failed', `unknown task ${taskId}`, { retryable: false });
    }
    const now = this.clock.now();
    record.pollTimes.push(now);
    const pollError = script.pollErrors?.shift();
    if (pollError !== undefined) throw pollError;
    if (script.finishAt !== undefined && now >= script.finishAt) {
      record.seenFinishedAt ??= now;
      if (script.failWith) return { status: 'failed', error: script.failWith };
      return { status: 'succeeded', images: [{ url: `https://images.example/${taskId}.png` }] };
    }
    const hint = typeof script.hint === 'function' ? script.hint(now) : script.hint;
    const running = script.runningAt === undefined || now >= script.runningAt;
    const progress = script.finishAt === undefined
      ? undefined
      : Math.min(99, Math.round(((now - record.submittedAt) / (script.finishAt - record.submittedAt)) * 100));
    return {
      status: 'pending',
      phase: running ? 'running' : 'queued',
      ...(running && progress !== undefined ? { progress } : {}),
      ...(hint === undefined ? {} : { hint }),
    };
  }
}
