// The poll slots of one provider: how many polls are in flight, and a FIFO of due tasks waiting for a slot.

/** Per-provider concurrency gate. Items that went stale while waiting are skipped, not searched for. */
export class PollLane<T> {
  /** Poll requests in flight. */
  active = 0;
  readonly #waiting: T[] = [];
  /** Index of the oldest entry still to serve: a FIFO without O(n) shifts. */
  #head = 0;

  constructor(readonly capacity: number) {}

  /** Queues `item` behind every item already waiting. */
  push(item: T): void {
    this.#waiting.push(item);
  }

  /**
   * Takes waiting items in order while a slot is free, counting each one `start` accepts as active;
   * `start` returns false for items that no longer need a poll (aborted, past their deadline).
   */
  drain(start: (item: T) => boolean): void {
    while (this.active < this.capacity && this.#head < this.#waiting.length) {
      const item = this.#waiting[this.#head] as T;
      this.#head += 1;
      if (start(item)) this.active += 1;
    }
    if (this.#head === this.#waiting.length) {
      this.#waiting.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting.splice(0, this.#head);
      this.#head = 0;
    }
  }

  /** Gives back a slot taken by `drain`. */
  release(): void {
    this.active -= 1;
  }
}
