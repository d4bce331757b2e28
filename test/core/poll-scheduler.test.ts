// The shared poll scheduler under a manual clock: pacing, caps, deadlines, aborts and errors with thousands of tasks.
import { describe, expect, it } from 'vitest';
import type { Clock, TimerHandle } from '../../src/core/clock.ts';
import { BotError } from '../../src/core/errors.ts';
import { createPollScheduler, type PollSchedulerOptions } from '../../src/core/poll-scheduler.ts';
import type { ResultImage } from '../../src/core/provider.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { SimulatedProvider } from '../support/simulated-provider.ts';

/** Deterministic uniform numbers in [0, 1) (mulberry32). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Wraps a clock to count the timers the scheduler itself holds (the provider's latency timers are not counted). */
function probeTimers(clock: Clock) {
  const pending = new Set<TimerHandle>();
  const probe = { pending, maxPending: 0, clock: undefined as unknown as Clock };
  probe.clock = {
    now: () => clock.now(),
    setTimeout(callback, delayMs) {
      const handle = clock.setTimeout(() => {
        pending.delete(handle);
        callback();
      }, delayMs);
      pending.add(handle);
      probe.maxPending = Math.max(probe.maxPending, pending.size);
      return handle;
    },
    clearTimeout(handle) {
      pending.delete(handle);
      clock.clearTimeout(handle);
    },
  };
  return probe;
}

type Ending = { kind: 'succeeded'; at: number; images: ResultImage[] } | { kind: 'rejected'; at: number; error: BotError };

/** Records when and how a tracked promise ends. */
function watch(clock: Clock, promise: Promise<ResultImage[]>): { ending: Ending | undefined } {
  const watcher: { ending: Ending | undefined } = { ending: undefined };
  promise.then(
    (images) => (watcher.ending = { kind: 'succeeded', at: clock.now(), images }),
    (error: BotError) => (watcher.ending = { kind: 'rejected', at: clock.now(), error }),
  );
  return watcher;
}

function setup(latencyMs: number | 'hang' = 0, options: PollSchedulerOptions = {}) {
  const clock = new ManualClock();
  const probe = probeTimers(clock);
  const provider = new SimulatedProvider('xenodia', clock, latencyMs);
  const scheduler = createPollScheduler({ clock: probe.clock, random: seededRandom(7), ...options });
  return { clock, probe, provider, scheduler, start: clock.now() };
}

describe('poll scheduler with 2,000 tasks in flight', () => {
  it('ends every task as scripted, within the poll budget, under the caps, with one timer', async () => {
    const clock = new ManualClock();
    const probe = probeTimers(clock);
    const random = seededRandom(42);
    const providers = [new SimulatedProvider('xenodia', clock, 5), new SimulatedProvider('nbp-cloud', clock, 5)];
    let polls = 0;
    const scheduler = createPollScheduler({ clock: probe.clock, random: seededRandom(1), onPoll: () => (polls += 1) });
    const start = clock.now();
    type Case = { kind: 'window' | 'early' | 'fail' | 'never'; provider: SimulatedProvider; taskId: string; finishAt?: number; watcher: { ending: Ending | undefined } };
    const cases: Case[] = [];
    for (let index = 0; index < 2_000; index += 1) {
      const provider = providers[index % 2] as SimulatedProvider;
      const submittedAt = start + Math.floor(random() * 10_000);
      const kind = index < 1_600 ? 'window' : index < 1_750 ? 'early' : index < 1_900 ? 'fail' : 'never';
      const finishAt = kind === 'never' ? undefined
        : submittedAt + (kind === 'window' ? 18_000 + random() * 4_000 : kind === 'early' ? 2_000 + random() * 10_000 : 25_000);
      clock.setTimeout(() => {
        const handle = provider.addTask({
          ...(finishAt === undefined ? {} : { finishAt }),
          ...(kind === 'fail' ? { failWith: new BotError('provider_rejected', 'prompt refused') } : {}),
        });
        const promise = scheduler.track(provider, handle, { deadlineAt: submittedAt + 90_000, expectedSeconds: 20 });
        cases.push({ kind, provider, taskId: handle.taskId, ...(finishAt === undefined ? {} : { finishAt }), watcher: watch(clock, promise) });
      }, submittedAt - start);
    }
    await clock.runUntil(() => cases.length === 2_000 && scheduler.size === 0);

    expect(cases.every((entry) => entry.watcher.ending !== undefined)).toBe(true);
    const windowPolls: number[] = [];
    const windowLags: number[] = [];
    for (const entry of cases) {
      const ending = entry.watcher.ending as Ending;
      const record = entry.provider.records.get(entry.taskId);
      if (entry.kind === 'never') {
        expect(ending.kind === 'rejected' && ending.error.code).toBe('provider_timeout');
        expect(ending.at - (record?.submittedAt ?? 0)).toBe(90_000);
        continue;
      }
      if (entry.kind === 'fail') expect(ending.kind === 'rejected' && ending.error.code).toBe('provider_rejected');
      else expect(ending.kind).toBe('succeeded');
      if (entry.kind === 'window') {
        windowPolls.push(record?.pollTimes.length ?? Infinity);
        windowLags.push((record?.seenFinishedAt ?? Infinity) - (entry.finishAt ?? 0));
      }
    }
    expect(Math.max(...windowPolls)).toBeLessThanOrEqual(12);
    expect(Math.max(...windowLags)).toBeLessThanOrEqual(1_200);
    expect(windowPolls.reduce((sum, count) => sum + count, 0) / windowPolls.length).toBeLessThanOrEqual(8);
    for (const provider of providers) expect(provider.maxInFlight).toBeLessThanOrEqual(8);
    expect(polls).toBe(providers[0]!.totalPolls + providers[1]!.totalPolls);
    expect(probe.maxPending).toBe(1);
    expect(probe.pending.size).toBe(0);
  });
});

describe('poll scheduler timer', () => {
  it('keeps one timer, re-armed for an earlier task and cleared when idle', async () => {
    const { clock, probe, provider, scheduler, start } = setup();
    const late = provider.addTask({ finishAt: start + 40_000 });
    scheduler.track(provider, late, { deadlineAt: start + 90_000, expectedSeconds: 20, hint: { nextPollInMs: 30_000 } }).catch(() => undefined);
    expect([probe.pending.size, clock.nextTimerAt! - start >= 30_000]).toEqual([1, true]);
    const soon = provider.addTask({ finishAt: start + 500 });
    const watcher = watch(clock, scheduler.track(provider, soon, { deadlineAt: start + 90_000, expectedSeconds: 1 }));
    expect([probe.pending.size, clock.nextTimerAt! - start <= 1_100]).toEqual([1, true]);
    await clock.runUntil(() => watcher.ending !== undefined);
    expect([probe.pending.size, scheduler.size]).toEqual([1, 1]);
    scheduler.stop();
    expect([probe.pending.size, clock.pendingTimers, probe.maxPending]).toEqual([0, 0, 1]);
  });
});

describe('poll scheduler pacing', () => {
  it('polls soon, sparsely early, densely near the expected finish, then backs off', async () => {
    const { clock, provider, scheduler, start } = setup();
    const handle = provider.addTask({ finishAt: start + 60_000 });
    const watcher = watch(clock, scheduler.track(provider, handle, { deadlineAt: start + 300_000, expectedSeconds: 20 }));
    await clock.runUntil(() => watcher.ending !== undefined);
    const ages = provider.records.get(handle.taskId)!.pollTimes.map((time) => (time - start) / 1000);
    expect(ages[0]).toBeGreaterThanOrEqual(0.9);
    expect(ages[0]).toBeLessThanOrEqual(1.1);
    const gaps = ages.slice(1).map((age, index) => age - (ages[index] as number));
    const inWindow = gaps.filter((gap, index) => (ages[index] as number) >= 17 && (ages[index] as number) < 22.5);
    expect(inWindow.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...inWindow)).toBeLessThanOrEqual(1.1);
    expect(ages.filter((age) => age < 16).length).toBeLessThanOrEqual(5);
    const late = gaps.filter((gap, index) => (ages[index] as number) > 24);
    for (let index = 1; index < late.length; index += 1) expect(late[index]).toBeLessThanOrEqual(15 * 1.1 + 0.001);
    expect(Math.max(...late)).toBeGreaterThan(10);
    expect(watcher.ending?.kind).toBe('succeeded');
  });

  it('never polls faster than the provider asks', async () => {
    const { clock, provider, scheduler, start } = setup();
    const handle = provider.addTask({ finishAt: start + 30_000, hint: { nextPollInMs: 5_000 } });
    const watcher = watch(clock, scheduler.track(provider, handle, { deadlineAt: start + 120_000, expectedSeconds: 20, hint: { nextPollInMs: 5_000 } }));
    await clock.runUntil(() => watcher.ending !== undefined);
    const times = provider.records.get(handle.taskId)!.pollTimes;
    expect(times[0]! - start).toBeGreaterThanOrEqual(5_000);
    for (let index = 1; index < times.length; index += 1) expect(times[index]! - times[index - 1]!).toBeGreaterThanOrEqual(5_000);
    expect(watcher.ending?.kind).toBe('succeeded');
  });

  it('re-anchors the dense window on the provider ETA', async () => {
    const { clock, provider, scheduler, start } = setup();
    const finishAt = start + 61_300;
    const handle = provider.addTask({ finishAt, hint: (now) => ({ etaSeconds: Math.max(0, (finishAt - now) / 1000) }) });
    const watcher = watch(clock, scheduler.track(provider, handle, { deadlineAt: start + 300_000, expectedSeconds: 20 }));
    await clock.runUntil(() => watcher.ending !== undefined);
    const record = provider.records.get(handle.taskId)!;
    expect(record.seenFinishedAt! - finishAt).toBeLessThanOrEqual(1_200);
    expect(record.pollTimes.length).toBeLessThanOrEqual(16);
  });

  it('continues the schedule of a task resumed after a restart, after one prompt poll', async () => {
    const { clock, provider, scheduler, start } = setup();
    const handle = provider.addTask({}, start - 100_000);
    scheduler.track(provider, handle, { deadlineAt: start + 60_000, expectedSeconds: 20 }).catch(() => undefined);
    await clock.advanceBy(40_000);
    const times = provider.records.get(handle.taskId)!.pollTimes;
    expect(times[0]! - start).toBeLessThanOrEqual(1_100);
    for (let index = 1; index < times.length; index += 1) expect(times[index]! - times[index - 1]!).toBeGreaterThanOrEqual(13_500);
    scheduler.stop();
  });

  it('reports progress from pending answers', async () => {
    const { clock, provider, scheduler, start } = setup();
    const handle = provider.addTask({ finishAt: start + 20_000, runningAt: start + 5_000 });
    const updates: Array<{ phase: string; progress?: number }> = [];
    await expect(
      Promise.all([
        scheduler.track(provider, handle, { deadlineAt: start + 60_000, expectedSeconds: 20, onProgress: (update) => updates.push(update) }),
        clock.advanceBy(30_000),
      ]),
    ).resolves.toBeDefined();
    expect(updates[0]?.phase).toBe('queued');
    expect(updates.at(-1)?.phase).toBe('running');
    const progress = updates.flatMap((update) => (update.progress === undefined ? [] : [update.progress]));
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect([...progress].sort((left, right) => left - right)).toEqual(progress);
  });
});

describe('poll scheduler limits and failures', () => {
  it('caps concurrent polls per provider, not overall', async () => {
    const clock = new ManualClock();
    const providers = [new SimulatedProvider('xenodia', clock, 400), new SimulatedProvider('xingchao', clock, 400)];
    const scheduler = createPollScheduler({ clock, random: seededRandom(3), maxConcurrentPollsPerProvider: 8 });
    const start = clock.now();
    const watchers = Array.from({ length: 300 }, (_, index) => {
      const provider = providers[index % 2] as SimulatedProvider;
      const handle = provider.addTask({ finishAt: start + 10_000 });
      return watch(clock, scheduler.track(provider, handle, { deadlineAt: start + 120_000, expectedSeconds: 10 }));
    });
    await clock.runUntil(() => scheduler.size === 0);
    expect(watchers.every((watcher) => watcher.ending?.kind === 'succeeded')).toBe(true);
    for (const provider of providers) expect(provider.maxInFlight).toBe(8);
  });

  it('times out at the deadline, saying how long it waited, even while a poll hangs', async () => {
    const quiet = setup();
    const handle = quiet.provider.addTask({});
    const watcher = watch(quiet.clock, quiet.scheduler.track(quiet.provider, handle, { deadlineAt: quiet.start + 45_000, expectedSeconds: 20 }));
    await quiet.clock.runUntil(() => watcher.ending !== undefined);
    expect(watcher.ending).toMatchObject({ kind: 'rejected', at: quiet.start + 45_000, error: { code: 'provider_timeout' } });
    expect((watcher.ending as { error: BotError }).error.message).toContain('45 s');

    const hung = setup('hang', { maxConcurrentPollsPerProvider: 1 });
    const stuck = watch(hung.clock, hung.scheduler.track(hung.provider, hung.provider.addTask({}), { deadlineAt: hung.start + 30_000, expectedSeconds: 20 }));
    await hung.clock.runUntil(() => stuck.ending !== undefined);
    expect(stuck.ending).toMatchObject({ kind: 'rejected', at: hung.start + 30_000, error: { code: 'provider_timeout' } });
    expect(hung.provider.abortedPolls).toBe(1);
    expect(hung.provider.inFlight).toBe(0);
    expect(hung.probe.pending.size).toBe(0);
  });

  it('stops on abort, releasing the poll slot to the next task', async () => {
    const { clock, provider, scheduler, start, probe } = setup('hang', { maxConcurrentPollsPerProvider: 1 });
    const controller = new AbortController();
    const first = watch(clock, scheduler.track(provider, provider.addTask({}), { deadlineAt: start + 60_000, expectedSeconds: 20, signal: controller.signal }));
    const secondHandle = provider.addTask({});
    const second = watch(clock, scheduler.track(provider, secondHandle, { deadlineAt: start + 60_000, expectedSeconds: 20 }));
    await clock.advanceBy(5_000);
    expect(provider.totalPolls).toBe(1);
    controller.abort();
    await clock.advanceBy(0);
    expect(first.ending).toMatchObject({ kind: 'rejected', error: { code: 'cancelled' } });
    expect(provider.totalPolls).toBe(2);
    expect(provider.abortedPolls).toBe(1);
    expect(scheduler.size).toBe(1);
    expect(second.ending).toBeUndefined();
    scheduler.stop();
    await clock.advanceBy(0);
    expect(second.ending).toMatchObject({ kind: 'rejected', error: { code: 'cancelled' } });
    expect(probe.pending.size).toBe(0);
    await expect(scheduler.track(provider, provider.addTask({}), { deadlineAt: start + 90_000, expectedSeconds: 20 })).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('retries retryable errors with backoff and honours Retry-After', async () => {
    const { clock, provider, scheduler, start } = setup();
    const limited = provider.addTask({
      finishAt: start + 5_000,
      pollErrors: [new BotError('provider_rate_limited', 'slow down', { retryAfterMs: 10_000 })],
    });
    const flaky = provider.addTask({
      finishAt: start + 3_000,
      pollErrors: [1, 2, 3, 4].map(() => new BotError('provider_failed', 'HTTP 502')),
    });
    const limitedWatcher = watch(clock, scheduler.track(provider, limited, { deadlineAt: start + 60_000, expectedSeconds: 4 }));
    const flakyWatcher = watch(clock, scheduler.track(provider, flaky, { deadlineAt: start + 60_000, expectedSeconds: 4 }));
    await clock.runUntil(() => scheduler.size === 0);
    expect(limitedWatcher.ending?.kind).toBe('succeeded');
    expect(flakyWatcher.ending?.kind).toBe('succeeded');
    const limitedTimes = provider.records.get(limited.taskId)!.pollTimes;
    expect(limitedTimes).toHaveLength(2);
    expect(limitedTimes[1]! - limitedTimes[0]!).toBeGreaterThanOrEqual(10_000);
    const flakyTimes = provider.records.get(flaky.taskId)!.pollTimes;
    const gaps = flakyTimes.slice(1).map((time, index) => time - flakyTimes[index]!);
    expect(gaps.slice(0, 4).map((gap) => gap >= 1_000)).toEqual([true, true, true, true]);
    expect(gaps[3]).toBeGreaterThanOrEqual(8_000);
  });

  it('gives up on the last poll error when a retryable outage outlasts the deadline', async () => {
    const { clock, provider, scheduler, start } = setup();
    const handle = provider.addTask({ pollErrors: Array.from({ length: 100 }, () => new BotError('provider_failed', 'HTTP 503')) });
    const watcher = watch(clock, scheduler.track(provider, handle, { deadlineAt: start + 40_000, expectedSeconds: 20 }));
    await clock.runUntil(() => watcher.ending !== undefined);
    expect(watcher.ending).toMatchObject({ kind: 'rejected', error: { code: 'provider_timeout' } });
    expect((watcher.ending as { error: BotError }).error.message).toContain('HTTP 503');
  });

  it('ends the task on non-retryable errors and failed outcomes', async () => {
    const { clock, provider, scheduler, start } = setup();
    const auth = provider.addTask({ finishAt: start + 5_000, pollErrors: [new BotError('provider_auth', 'bad key')] });
    const bug = provider.addTask({ finishAt: start + 5_000, pollErrors: [new TypeError('undefined is not a function')] });
    const refused = provider.addTask({ finishAt: start + 3_000, failWith: new BotError('provider_rejected', 'unsafe prompt') });
    const options = { deadlineAt: start + 60_000, expectedSeconds: 5 };
    const watchers = [auth, bug, refused].map((handle) => watch(clock, scheduler.track(provider, handle, options)));
    await clock.runUntil(() => scheduler.size === 0);
    expect(watchers.map((watcher) => watcher.ending?.kind === 'rejected' && watcher.ending.error.code)).toEqual([
      'provider_auth',
      'internal',
      'provider_rejected',
    ]);
    expect(provider.records.get(auth.taskId)!.pollTimes).toHaveLength(1);
    expect(provider.records.get(bug.taskId)!.pollTimes).toHaveLength(1);
  });
});
