// Samples how many queries wait for a free connection in a PostgreSQL store's pool: the sign that the pool, not the work, sets the pace.
import type { BotStore, PostgresStore } from '../../src/store/index.ts';

/** What the sampler saw; undefined for stores without a pool (SQLite). */
export interface PoolQueueFigures {
  /** Connections in the pool at most (its size). */
  maxConnections: number;
  /** Most queries waiting for a connection at one sample. */
  maxWaiting: number;
  /** Mean over the samples. */
  meanWaiting: number;
  samples: number;
}

/** A running sampler; `stop()` ends it and returns the figures. */
export interface PoolQueueSampler {
  stop(): PoolQueueFigures | undefined;
}

/** Starts sampling `store`'s pool every `intervalMs` (a no-op for SQLite). */
export function startPoolQueueSampler(store: BotStore, intervalMs: number): PoolQueueSampler {
  if (store.kind !== 'postgres') return { stop: () => undefined };
  const { pool } = store as PostgresStore;
  let maxWaiting = 0;
  let totalWaiting = 0;
  let samples = 0;
  let maxConnections = 0;
  const timer = setInterval(() => {
    samples += 1;
    totalWaiting += pool.waitingCount;
    maxWaiting = Math.max(maxWaiting, pool.waitingCount);
    maxConnections = Math.max(maxConnections, pool.totalCount);
  }, intervalMs);
  let figures: PoolQueueFigures | undefined;
  return {
    stop() {
      clearInterval(timer);
      figures ??= { maxConnections, maxWaiting, meanWaiting: samples === 0 ? 0 : Math.round((totalWaiting / samples) * 10) / 10, samples };
      return figures;
    },
  };
}
