// Stuck CDN downloads for the fake Discord: a held file's requests get no answer until released, as on a slow or hung CDN.

/** A test's handle on one held file. */
export interface HeldDownload {
  /** How many downloads of the file have arrived (and are waiting) so far. */
  readonly requests: number;
  /** Answers the waiting downloads and every later one normally. */
  release(): void;
  /**
   * Answers later downloads normally but leaves the waiting ones unanswered until the fake closes:
   * they belong to a process that died (or was stopped) mid-download, and must not wake it up.
   */
  stopHolding(): void;
}

/** Held CDN paths and the downloads waiting on each. */
export class CdnHolds {
  private readonly held = new Map<string, { waiting: Array<() => void>; requests: number }>();

  /** Holds downloads of the CDN path `path` (as in an attachment's URL) until `release()`. */
  hold(path: string): HeldDownload {
    const entry = { waiting: [] as Array<() => void>, requests: 0 };
    this.held.set(path, entry);
    return {
      get requests() {
        return entry.requests;
      },
      release: () => {
        if (this.held.get(path) === entry) this.held.delete(path);
        for (const resume of entry.waiting.splice(0)) resume();
      },
      stopHolding: () => {
        if (this.held.get(path) === entry) this.held.delete(path);
      },
    };
  }

  /**
   * Resolves at once for files that are not held, else when the hold is released. A download still
   * held when the fake closes never resolves: its connection is closed under it, as in a crash.
   */
  async wait(path: string): Promise<void> {
    const entry = this.held.get(path);
    if (entry === undefined) return;
    entry.requests += 1;
    await new Promise<void>((resume) => entry.waiting.push(resume));
  }
}
