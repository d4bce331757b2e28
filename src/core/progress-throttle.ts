// Limits progress reports per job to one per interval, keeping only the latest, and never after the end.
import type { Clock, TimerHandle } from './clock.ts';

/**
 * Sends at most one update per `intervalMs`: the first goes out at once, later ones are coalesced
 * into a trailing send with the newest value. `close()` cancels anything pending and waits for a
 * send in progress, so the final result is never overwritten by a late progress edit.
 */
export class ProgressThrottle<Update> {
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private pending: Update | undefined;
  private timer: TimerHandle | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly send: (update: Update) => Promise<void>,
  ) {}

  /** Offers an update; it is sent now, later (coalesced), or dropped if the job already ended. */
  push(update: Update): void {
    if (this.closed) return;
    this.pending = update;
    if (this.timer !== undefined) return;
    const wait = this.lastSentAt + this.intervalMs - this.clock.now();
    if (wait <= 0) {
      this.flush();
      return;
    }
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }

  private flush(): void {
    if (this.closed || this.pending === undefined) return;
    const update = this.pending;
    this.pending = undefined;
    this.lastSentAt = this.clock.now();
    // Sends run one after another so edits reach the platform in order.
    this.inFlight = this.inFlight.then(() => this.send(update)).catch(() => undefined);
  }

  /** Stops further sends and resolves once any send already started has finished. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    await this.inFlight;
  }
}
