// Task timing for the provider fakes: each task finishes after a (jittered) latency, with rising progress.
import { randomUUID } from 'node:crypto';
import type { TaskBehaviour } from './fake-faults.ts';

/** Latency settings shared by every fake. */
export interface TaskTiming {
  /** Nominal time from creation to result, in ms. */
  latencyMs: number;
  /** Random spread as a fraction of the latency (0.2 = ±20 %). */
  jitter: number;
}

/** One fake task. State is computed from timestamps, so thousands cost no timers. */
export interface FakeTask<Extra> {
  id: string;
  createdAt: number;
  durationMs: number;
  behaviour: TaskBehaviour;
  /** Failure text for `fails` tasks. */
  failureMessage: string | undefined;
  /** Provider-specific data (model, requested size, ...). */
  extra: Extra;
}

/** A task's state at one moment. */
export interface TaskView {
  state: 'queued' | 'running' | 'succeeded' | 'failed';
  /** 0-100, rising with elapsed time. */
  progress: number;
  /** Nominal time left, in ms. */
  remainingMs: number;
}

/** What the fake saw of one task's status reads: the benchmark's ground truth for polls and detection lag. */
export interface TaskTimingRecord {
  id: string;
  createdAt: number;
  /** The moment the task finished (createdAt + its jittered duration), ms since epoch. */
  finishedAt: number;
  durationMs: number;
  /** Status reads answered for this task. */
  reads: number;
  /** When a status read first answered a finished state, if one did. */
  firstFinishedAnswerAt: number | undefined;
}

/** A state a test pins a task to, whatever its timing says (`steer`). */
export type SteeredState = 'queued' | 'running' | 'succeeded';

/** The share of a task's duration spent queued before it starts generating. */
const queuedShare = 0.1;

/** Jittered duration for one task. */
export function jitteredLatency(timing: TaskTiming): number {
  const spread = timing.latencyMs * timing.jitter;
  return Math.max(0, Math.round(timing.latencyMs + (Math.random() * 2 - 1) * spread));
}

/** All tasks of one fake. */
export class TaskBook<Extra> {
  private readonly tasks = new Map<string, FakeTask<Extra>>();
  private readonly reads = new Map<string, { count: number; firstFinishedAt: number | undefined }>();
  private readonly steered = new Map<string, SteeredState>();
  private holdingNewTasks = false;

  constructor(private readonly idPrefix = '') {}

  /** Records a new task. */
  create(extra: Extra, timing: TaskTiming, behaviour: TaskBehaviour, failureMessage: string | undefined): FakeTask<Extra> {
    const task: FakeTask<Extra> = {
      id: `${this.idPrefix}${randomUUID()}`,
      createdAt: Date.now(),
      durationMs: jitteredLatency(timing),
      behaviour,
      failureMessage,
      extra,
    };
    this.tasks.set(task.id, task);
    if (this.holdingNewTasks) this.steered.set(task.id, 'queued');
    return task;
  }

  /**
   * Pins task `id` to `state` until steered again; `undefined` hands it back to its timing (a task
   * whose duration has passed then reads as finished). Lets a test hold jobs in a chosen state for
   * as long as it needs, instead of racing the clock.
   */
  steer(id: string, state: SteeredState | undefined): void {
    if (!this.tasks.has(id)) throw new Error(`no fake task ${id}`);
    if (state === undefined) this.steered.delete(id);
    else this.steered.set(id, state);
  }

  /** While on, every new task is pinned to `queued` (see `steer`). */
  holdNewTasks(hold: boolean): void {
    this.holdingNewTasks = hold;
  }

  /** Ids of every task created so far, oldest first. */
  ids(): string[] {
    return [...this.tasks.keys()];
  }

  get(id: string): FakeTask<Extra> | undefined {
    return this.tasks.get(id);
  }

  /** Tasks created so far. */
  get size(): number {
    return this.tasks.size;
  }

  /** Counts one status read of `task` answered with `view` at `now` (fakes that serve status reads call it). */
  noteRead(task: FakeTask<Extra>, view: TaskView, now = Date.now()): void {
    const record = this.reads.get(task.id) ?? { count: 0, firstFinishedAt: undefined };
    record.count += 1;
    const finished = view.state === 'succeeded' || view.state === 'failed';
    if (finished && record.firstFinishedAt === undefined) record.firstFinishedAt = now;
    this.reads.set(task.id, record);
  }

  /** Every task's timing and reads, oldest first. */
  timings(): TaskTimingRecord[] {
    return [...this.tasks.values()].map((task) => {
      const record = this.reads.get(task.id);
      return {
        id: task.id,
        createdAt: task.createdAt,
        finishedAt: task.createdAt + task.durationMs,
        durationMs: task.durationMs,
        reads: record?.count ?? 0,
        firstFinishedAnswerAt: record?.firstFinishedAt,
      };
    });
  }

  /** The state of `task` at `now`. */
  view(task: FakeTask<Extra>, now = Date.now()): TaskView {
    const steered = this.steered.get(task.id);
    if (steered === 'queued') return { state: 'queued', progress: 0, remainingMs: task.durationMs };
    if (steered === 'running') return { state: 'running', progress: 50, remainingMs: Math.ceil(task.durationMs / 2) };
    if (steered === 'succeeded') return { state: 'succeeded', progress: 100, remainingMs: 0 };
    const elapsed = now - task.createdAt;
    const remainingMs = Math.max(0, task.durationMs - elapsed);
    if (task.behaviour === 'neverFinishes' || elapsed < task.durationMs) {
      const fraction = task.durationMs === 0 ? 0.99 : Math.min(0.99, elapsed / task.durationMs);
      if (fraction < queuedShare) return { state: 'queued', progress: 0, remainingMs };
      return { state: 'running', progress: Math.max(1, Math.floor(fraction * 100)), remainingMs };
    }
    if (task.behaviour === 'fails') return { state: 'failed', progress: 100, remainingMs: 0 };
    return { state: 'succeeded', progress: 100, remainingMs: 0 };
  }
}
