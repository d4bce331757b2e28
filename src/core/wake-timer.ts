// A single re-armable timer that wakes its owner at the earliest time it has been asked for.
import type { Clock, TimerHandle } from './clock.ts';

/** Node timers overflow (and fire at once) past 2^31 - 1 ms. */
const longestTimerMs = 2_147_483_647;

/**
 * Holds at most one pending `clock.setTimeout`. `wakeAt(time)` re-arms only when `time` is earlier
 * than the pending wake, so asking for later times costs nothing; the owner re-asks after each wake.
 */
export class WakeTimer {
  readonly #clock: Clock;
  readonly #onWake: () => void;
  #handle: TimerHandle | undefined;
  #dueAt = Infinity;

  constructor(clock: Clock, onWake: () => void) {
    this.#clock = clock;
    this.#onWake = onWake;
  }

  /** Whether a wake is pending. */
  get armed(): boolean {
    return this.#handle !== undefined;
  }

  /** Makes sure the owner is woken no later than `time` (ms since epoch). */
  wakeAt(time: number): void {
    if (this.#handle !== undefined && this.#dueAt <= time) return;
    this.clear();
    this.#dueAt = time;
    const delay = Math.min(longestTimerMs, Math.max(0, time - this.#clock.now()));
    this.#handle = this.#clock.setTimeout(() => {
      this.#handle = undefined;
      this.#dueAt = Infinity;
      this.#onWake();
    }, delay);
  }

  /** Cancels the pending wake, if any. */
  clear(): void {
    if (this.#handle !== undefined) this.#clock.clearTimeout(this.#handle);
    this.#handle = undefined;
    this.#dueAt = Infinity;
  }
}
