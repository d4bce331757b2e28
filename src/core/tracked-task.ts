// The scheduler's record of one task it polls: its place in the heap, its lane, and its pacing state.
import type { BotError } from './errors.ts';
import type { HeapItem } from './min-heap.ts';
import type { PollLane } from './poll-lane.ts';
import type { TrackOptions } from './poll-scheduler.ts';
import type { ImageProvider, ResultImage, TaskHandle } from './provider.ts';

/**
 * One tracked task. While `waiting` its heap key is its next poll (or its deadline if sooner);
 * while `queued` for a slot or `polling`, the key is its deadline, so deadlines fire even when a
 * provider's polls hang.
 */
export interface TrackedTask extends HeapItem {
  readonly provider: ImageProvider;
  readonly handle: TaskHandle;
  readonly lane: PollLane<TrackedTask>;
  readonly deadlineAt: number;
  readonly onProgress: TrackOptions['onProgress'];
  readonly resolve: (images: ResultImage[]) => void;
  readonly reject: (error: BotError) => void;
  state: 'waiting' | 'queued' | 'polling' | 'done';
  wakeAt: number;
  sequence: number;
  expectedFinishAgeMs: number;
  /** The provider's `nextPollInMs`: no poll comes sooner than this after the previous one. */
  minimumIntervalMs: number;
  consecutiveErrors: number;
  lastError: BotError | undefined;
  pollController: AbortController | undefined;
  detachAbort: (() => void) | undefined;
  /** When the poll in flight was sent (for its timing). */
  pollStartedAt: number;
  /** When a poll last found the task still pending (bounds how long a finished result went unnoticed). */
  lastPendingAt: number | undefined;
}
