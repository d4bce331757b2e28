// Polling the shared table of cancels for both stores: each watcher reads the cancels newer than the last it saw, on an unref'd timer.

/** A `job_cancels` row as both stores read it (PostgreSQL's bigint id parsed to a number). */
export interface CancelRow {
  id: number;
  job_id: string;
}

/** Where the watchers read cancels from. */
export interface CancelSource {
  /** The newest cancel's id (0 when none); called when a watcher subscribes, so it reports only later cancels. */
  latestId(): number | Promise<number>;
  /** Cancels with an id above `id`, oldest first. */
  cancelsAfter(id: number): CancelRow[] | Promise<CancelRow[]>;
}

/** Every watcher of one store, so closing the store stops them all. */
export interface CancelWatchers {
  /** Starts polling for `onCancel`; returns the unsubscribe function. */
  watch(onCancel: (jobIds: string[]) => void): () => void;
  /** Stops every watcher (the store is closing). */
  stopAll(): void;
}

/**
 * Builds the watchers over `source`, polling every `intervalMs`. A poll starts only after the last
 * one finished, so a slow database never piles reads up; a failed read (a dropped connection) is
 * simply tried again at the next tick. Timers are unref'd: a watcher never keeps the process alive.
 */
export function createCancelWatchers(source: CancelSource, intervalMs: number): CancelWatchers {
  const stops = new Set<() => void>();

  const watch = (onCancel: (jobIds: string[]) => void): (() => void) => {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let seen: number | undefined;
    // Read at subscription (synchronously on SQLite), so cancels made before it are not reported.
    let first: number | Promise<number>;
    try {
      first = source.latestId();
    } catch (error) {
      first = Promise.reject(error);
    }
    // A failed first read is tried again at the first tick.
    const start = Promise.resolve(first).then((id) => {
      seen = id;
    }, () => {});

    const poll = async () => {
      if (seen === undefined) {
        seen = await source.latestId();
        return;
      }
      const rows = await source.cancelsAfter(seen);
      if (rows.length === 0 || stopped) return;
      seen = Math.max(seen, ...rows.map((row) => row.id));
      onCancel(rows.map((row) => row.job_id));
    };

    const schedule = () => {
      if (stopped) return;
      timer = setTimeout(() => {
        // Errors (a closed connection, a callback that threw) must not end the polling or escape a timer.
        void poll().catch(() => {}).finally(schedule);
      }, intervalMs);
      timer.unref();
    };
    void start.then(schedule);

    const stop = () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      stops.delete(stop);
    };
    stops.add(stop);
    return stop;
  };

  return {
    watch,
    stopAll() {
      for (const stop of [...stops]) stop();
    },
  };
}
