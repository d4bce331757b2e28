// A counting semaphore: at most N holders at once, the rest wait in FIFO order.

export class Semaphore {
  private available: number;
  private readonly waiters: Array<() => void> = [];

  constructor(capacity: number) {
    this.available = capacity;
  }

  /** Runs `work` once a slot is free, releasing the slot however `work` ends. */
  async run<Result>(work: () => Promise<Result>): Promise<Result> {
    if (this.available > 0) {
      this.available -= 1;
    } else {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    try {
      return await work();
    } finally {
      const next = this.waiters.shift();
      if (next) next();
      else this.available += 1;
    }
  }
}
