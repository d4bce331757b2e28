// One scheduler polls every in-flight provider task: one timer, a min-heap of wake times, a poll cap per provider.
import type { BotMetrics } from './bot-metrics.ts';
import { systemClock, type Clock } from './clock.ts';
import { BotError, toBotError } from './errors.ts';
import { formatDuration } from './format.ts';
import { MinHeap } from './min-heap.ts';
import { PollLane } from './poll-lane.ts';
import { defaultPacing, errorBackoff, nextPollDelay, type Pacing } from './poll-schedule.ts';
import type { ImageProvider, PollHint, PollOutcome, ResultImage, TaskHandle } from './provider.ts';
import type { ProviderId } from './request.ts';
import type { TrackedTask } from './tracked-task.ts';
import { WakeTimer } from './wake-timer.ts';

export interface PollSchedulerOptions {
  /** Time source; default `systemClock`. */
  clock?: Clock;
  /** Jitter source, uniform in [0, 1); default `Math.random`. */
  random?: () => number;
  /** Most poll requests in flight at once per provider id; default 8. */
  maxConcurrentPollsPerProvider?: number;
  /** Called as each poll request starts (benchmarks count polls with it). */
  onPoll?: (providerId: ProviderId) => void;
  /** Overrides parts of the polling schedule (see `defaultPacing`). */
  pacing?: Partial<Pacing>;
  /** Where polls, their timings and found results are counted; default nowhere. */
  metrics?: Pick<BotMetrics, 'pollSent' | 'providerCallTimed' | 'taskCompleted'>;
}

export interface TrackOptions {
  /** Absolute ms; past it the task rejects with BotError('provider_timeout'). */
  deadlineAt: number;
  /** Typical generation time for this request (the provider's `typicalSeconds[resolution]`). */
  expectedSeconds: number;
  /** Pacing advice returned by `submit()`. */
  hint?: PollHint;
  /** Abort → stop polling, reject with BotError('cancelled'). */
  signal?: AbortSignal;
  /** Called after each poll that finds the task still pending. */
  onProgress?: (update: { phase: 'queued' | 'running'; progress?: number }) => void;
}

export interface PollScheduler {
  /** Polls `task` on `provider` until it succeeds (resolves with its images), fails, times out or is cancelled. */
  track(provider: ImageProvider, task: TaskHandle, options: TrackOptions): Promise<ResultImage[]>;
  /** Tasks currently tracked. */
  readonly size: number;
  /** Rejects every tracked task with `cancelled` and clears the timer (graceful shutdown). */
  stop(): void;
}

/** Creates the scheduler; one instance serves every provider. */
export function createPollScheduler(options: PollSchedulerOptions = {}): PollScheduler {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const maxConcurrent = Math.max(1, options.maxConcurrentPollsPerProvider ?? 8);
  const pacing: Pacing = { ...defaultPacing, ...options.pacing };
  const metrics = options.metrics;
  const heap = new MinHeap<TrackedTask>((left, right) => left.wakeAt - right.wakeAt || left.sequence - right.sequence);
  const lanes = new Map<ProviderId, PollLane<TrackedTask>>();
  const tracked = new Set<TrackedTask>();
  const timer = new WakeTimer(clock, onTimer);
  let sequence = 0;
  let stopped = false;

  /** Keeps the one timer armed for the earliest wake; a wake that finds nothing due just re-arms. */
  function arm(): void {
    const first = heap.peek();
    if (first === undefined) timer.clear();
    else timer.wakeAt(first.wakeAt);
  }

  function onTimer(): void {
    const now = clock.now();
    const touched = new Set<PollLane<TrackedTask>>();
    for (let first = heap.peek(); first !== undefined && first.wakeAt <= now; first = heap.peek()) {
      heap.pop();
      if (now >= first.deadlineAt) {
        finish(first, timeoutError(first, now));
      } else if (first.state === 'waiting') {
        enqueue(first);
        touched.add(first.lane);
      }
    }
    for (const lane of touched) pump(lane);
    arm();
  }

  function timeoutError(task: TrackedTask, now: number): BotError {
    const lastError = task.lastError ? `; the last poll failed: ${task.lastError.message}` : '';
    return new BotError(
      'provider_timeout',
      `No result from ${task.handle.providerId} after waiting ${formatDuration(now - task.handle.submittedAt)} ` +
        `(task ${task.handle.taskId})${lastError}`,
    );
  }

  function enqueue(task: TrackedTask): void {
    task.state = 'queued';
    task.wakeAt = task.deadlineAt;
    heap.update(task);
    task.lane.push(task);
  }

  function pump(lane: PollLane<TrackedTask>): void {
    const now = clock.now();
    // Finished (aborted, timed out) tasks are left in the FIFO and skipped here; so are tasks past
    // their deadline, which the heap is about to time out.
    lane.drain((task) => task.state === 'queued' && now < task.deadlineAt && startPoll(task));
  }

  function startPoll(task: TrackedTask): true {
    task.state = 'polling';
    const controller = new AbortController();
    task.pollController = controller;
    task.pollStartedAt = clock.now();
    options.onPoll?.(task.handle.providerId);
    metrics?.pollSent(task.handle.providerId);
    let pending: Promise<PollOutcome>;
    try {
      pending = task.provider.poll(task.handle, controller.signal);
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (outcome) => onOutcome(task, controller, outcome),
      (error: unknown) => onPollError(task, controller, error),
    );
    return true;
  }

  /** Frees the task's poll slot (if it holds one) and hands it to the next due task. */
  function releaseSlot(task: TrackedTask): void {
    if (task.pollController === undefined) return;
    task.pollController = undefined;
    task.lane.release();
    pump(task.lane);
  }

  function onOutcome(task: TrackedTask, controller: AbortController, outcome: PollOutcome): void {
    if (task.pollController !== controller) return;
    releaseSlot(task);
    const now = clock.now();
    metrics?.providerCallTimed(task.handle.providerId, 'poll', (now - task.pollStartedAt) / 1000, 'ok');
    if (outcome.status === 'succeeded') {
      // The task finished after the last poll that saw it pending: that gap bounds how long it went unnoticed.
      const noticedSince = task.lastPendingAt ?? task.handle.submittedAt;
      metrics?.taskCompleted(task.handle.providerId, (now - task.handle.submittedAt) / 1000, (now - noticedSince) / 1000);
      finish(task, outcome.images);
    } else if (outcome.status === 'failed') {
      finish(task, outcome.error);
    } else {
      task.consecutiveErrors = 0;
      task.lastError = undefined;
      task.lastPendingAt = now;
      applyHint(task, outcome.hint);
      try {
        task.onProgress?.({
          phase: outcome.phase,
          ...(outcome.progress === undefined ? {} : { progress: outcome.progress }),
        });
      } catch {
        // A failing progress listener must not stop the task from being polled.
      }
      if (task.state !== 'done') reschedule(task, task.minimumIntervalMs);
    }
    arm();
  }

  function onPollError(task: TrackedTask, controller: AbortController, error: unknown): void {
    if (task.pollController !== controller) return;
    releaseSlot(task);
    // Anything that is not a BotError is a bug in a provider client, not a passing outage.
    const botError = toBotError(error, 'internal');
    metrics?.providerCallTimed(task.handle.providerId, 'poll', (clock.now() - task.pollStartedAt) / 1000, botError.code);
    if (!botError.retryable) {
      finish(task, botError);
    } else {
      task.consecutiveErrors += 1;
      task.lastError = botError;
      const floor = Math.max(task.minimumIntervalMs, errorBackoff(task.consecutiveErrors, pacing), botError.retryAfterMs ?? 0);
      reschedule(task, floor);
    }
    arm();
  }

  function applyHint(task: TrackedTask, hint: PollHint | undefined): void {
    if (hint?.nextPollInMs !== undefined && Number.isFinite(hint.nextPollInMs)) {
      task.minimumIntervalMs = Math.max(0, hint.nextPollInMs);
    }
    if (hint?.etaSeconds !== undefined && Number.isFinite(hint.etaSeconds)) {
      task.expectedFinishAgeMs = clock.now() - task.handle.submittedAt + Math.max(0, hint.etaSeconds) * 1000;
    }
  }

  function reschedule(task: TrackedTask, minimumDelayMs: number, maximumPlannedMs?: number): void {
    const now = clock.now();
    if (now >= task.deadlineAt) {
      finish(task, timeoutError(task, now));
      return;
    }
    const delay = nextPollDelay(
      {
        ageMs: now - task.handle.submittedAt,
        expectedFinishAgeMs: task.expectedFinishAgeMs,
        minimumDelayMs,
        ...(maximumPlannedMs === undefined ? {} : { maximumPlannedMs }),
        random,
      },
      pacing,
    );
    task.state = 'waiting';
    task.wakeAt = Math.min(now + delay, task.deadlineAt);
    sequence += 1;
    task.sequence = sequence;
    heap.update(task);
  }

  function finish(task: TrackedTask, result: ResultImage[] | BotError): void {
    if (task.state === 'done') return;
    task.state = 'done';
    heap.remove(task);
    tracked.delete(task);
    task.detachAbort?.();
    const controller = task.pollController;
    if (controller !== undefined) {
      releaseSlot(task);
      // Cancels the HTTP request too, so a hung poll does not outlive its task.
      controller.abort(result instanceof BotError ? result : undefined);
    }
    if (result instanceof BotError) task.reject(result);
    else task.resolve(result);
  }

  function track(provider: ImageProvider, handle: TaskHandle, trackOptions: TrackOptions): Promise<ResultImage[]> {
    return new Promise<ResultImage[]>((resolve, reject) => {
      if (stopped) {
        reject(new BotError('cancelled', 'The poll scheduler has stopped'));
        return;
      }
      if (trackOptions.signal?.aborted) {
        reject(new BotError('cancelled', `Stopped waiting for ${handle.providerId} task ${handle.taskId}: cancelled`));
        return;
      }
      let lane = lanes.get(provider.id);
      if (lane === undefined) {
        lane = new PollLane<TrackedTask>(maxConcurrent);
        lanes.set(provider.id, lane);
      }
      const expectedSeconds = Number.isFinite(trackOptions.expectedSeconds) ? Math.max(0, trackOptions.expectedSeconds) : 0;
      const task: TrackedTask = {
        heapIndex: -1,
        provider,
        handle,
        lane,
        deadlineAt: trackOptions.deadlineAt,
        onProgress: trackOptions.onProgress,
        resolve,
        reject,
        state: 'waiting',
        wakeAt: trackOptions.deadlineAt,
        sequence: 0,
        expectedFinishAgeMs: expectedSeconds * 1000,
        minimumIntervalMs: 0,
        consecutiveErrors: 0,
        lastError: undefined,
        pollController: undefined,
        detachAbort: undefined,
        pollStartedAt: 0,
        lastPendingAt: undefined,
      };
      const signal = trackOptions.signal;
      if (signal !== undefined) {
        const onAbort = () => {
          finish(task, new BotError('cancelled', `Stopped waiting for ${handle.providerId} task ${handle.taskId}: cancelled`));
          arm();
        };
        signal.addEventListener('abort', onAbort, { once: true });
        task.detachAbort = () => signal.removeEventListener('abort', onAbort);
      }
      tracked.add(task);
      applyHint(task, trackOptions.hint);
      // The first poll comes soon even for a task resumed late in its life (it may have finished
      // while we were down); later polls follow the schedule for its age.
      reschedule(task, task.minimumIntervalMs, pacing.firstPollMs);
      arm();
    });
  }

  return {
    track,
    get size() {
      return tracked.size;
    },
    stop() {
      stopped = true;
      for (const task of [...tracked]) finish(task, new BotError('cancelled', 'The bot is shutting down'));
      heap.clear();
      lanes.clear();
      timer.clear();
    },
  };
}
