// A deterministic Clock for tests: time moves only when the test advances it, timers fire in order.
import type { Clock, TimerHandle } from '../../src/core/clock.ts';
import { MinHeap, type HeapItem } from '../../src/core/min-heap.ts';

interface ManualTimer extends HeapItem {
  dueAt: number;
  sequence: number;
  callback: () => void;
}

/** Lets promise callbacks queued by a timer (and the ones they queue) run before time moves on. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A clock whose time advances only through `advanceBy` / `advanceTo`. */
export class ManualClock implements Clock {
  #now: number;
  #sequence = 0;
  readonly #timers = new MinHeap<ManualTimer>((left, right) => left.dueAt - right.dueAt || left.sequence - right.sequence);

  constructor(startAt = 1_700_000_000_000) {
    this.#now = startAt;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    this.#sequence += 1;
    const timer: ManualTimer = {
      heapIndex: -1,
      dueAt: this.#now + Math.max(0, delayMs),
      sequence: this.#sequence,
      callback,
    };
    this.#timers.push(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    if (handle !== null && typeof handle === 'object' && 'heapIndex' in handle) {
      this.#timers.remove(handle as ManualTimer);
    }
  }

  /** Timers set and not yet fired or cleared. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** When the next timer fires, or undefined when none is pending. */
  get nextTimerAt(): number | undefined {
    return this.#timers.peek()?.dueAt;
  }

  /**
   * Moves time to `target`, firing every timer due on the way in order, and letting promise
   * work settle after each one (so a timer's consequences can set further timers in range).
   */
  async advanceTo(target: number): Promise<void> {
    await settle();
    for (let next = this.#timers.peek(); next !== undefined && next.dueAt <= target; next = this.#timers.peek()) {
      this.#timers.pop();
      this.#now = Math.max(this.#now, next.dueAt);
      next.callback();
      await settle();
    }
    this.#now = Math.max(this.#now, target);
    await settle();
  }

  /** Moves time forward by `milliseconds`. */
  advanceBy(milliseconds: number): Promise<void> {
    return this.advanceTo(this.#now + milliseconds);
  }

  /** Fires timers until `done()` is true or no timer is left before `limit`; returns whether done. */
  async runUntil(done: () => boolean, limit = this.#now + 24 * 3_600_000): Promise<boolean> {
    await settle();
    while (!done()) {
      const next = this.#timers.peek();
      if (next === undefined || next.dueAt > limit) return done();
      await this.advanceTo(next.dueAt);
    }
    return true;
  }
}
