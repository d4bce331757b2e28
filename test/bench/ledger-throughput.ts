// Measures quota reserve+commit pairs per second on a fresh database, apart from the job run (SQLite or PostgreSQL).
import { parseConfig } from '../../src/config.ts';
import { openStore, type OpenedStore } from '../../src/store/index.ts';
import { percentileOfSorted } from './percentiles.ts';

/** What the ledger measurement found in one process. */
export interface LedgerThroughput {
  /** Reserve+commit pairs per second over all callers, each call its own transaction (IMMEDIATE on SQLite). */
  pairsPerSecond: number;
  pairs: number;
  elapsedMs: number;
  /** Distinct requesters the pairs rotated over. */
  requesters: number;
  /** Callers running pairs back to back at the same time, each on its own requesters. */
  callers: number;
  /** Each caller's rate within each batch of pairs: a wide spread means other work on the machine interfered. */
  batchPairsPerSecond: { min: number; p50: number; max: number };
}

/** A prepared measurement: the store is open and every requester's day exists. */
export interface LedgerBench {
  /** Runs pairs back to back for about `durationMs` and reports the rate. */
  run(durationMs: number): Promise<LedgerThroughput>;
  close(): Promise<void>;
}

/**
 * Pairs between clock reads. Small enough that a short run on PostgreSQL (about 100 pairs a second
 * per caller) still ends near its duration; large enough that a batch's rate is not mostly noise.
 */
const batchSize = 100;

/**
 * Opens the database in `environment` and opens the day of `requesters` users named after
 * `keyPrefix`, so that `run` measures exactly what a job's start and delivery do to credits
 * (the job row writes are not included). Several processes may prepare on the same database with
 * different prefixes and run at once: the rate is then theirs summed.
 */
export async function prepareLedgerBench(environment: Record<string, string>, keyPrefix: string, requesters: number, wantedCallers: number): Promise<LedgerBench> {
  // Every caller needs requesters of its own.
  const callers = Math.max(1, Math.min(wantedCallers, requesters));
  // An allowance no run can exhaust: a refusal would measure the error path instead.
  const config = parseConfig({ ...environment, QUOTA_DAILY_CREDITS: '1000000000' });
  const opened: OpenedStore = await openStore(config);
  const keys = Array.from({ length: requesters }, (_, index) => `cli:${keyPrefix}-${index}`);
  const pair = async (requesterKey: string) => {
    const now = Date.now();
    const reservation = await opened.store.reserveCredits({ requesterKey, cost: 1, unlimited: false, jobId: null, now });
    await opened.store.commitCredits(reservation, now);
  };
  try {
    // Opening each user's day writes extra rows once; that happens before the clock starts.
    for (const key of keys) await pair(key);
  } catch (error) {
    await opened.close();
    throw error;
  }

  /** One caller: its own requesters (every `callers`-th key), so callers never wait on each other's rows. */
  async function caller(callerIndex: number, durationMs: number, startedAt: number, batchRates: number[]): Promise<number> {
    const own = keys.filter((_, index) => index % callers === callerIndex);
    let pairs = 0;
    let elapsed = 0;
    while (elapsed < durationMs) {
      const batchStartedAt = performance.now();
      for (let index = 0; index < batchSize; index += 1) await pair(own[(pairs + index) % own.length] as string);
      pairs += batchSize;
      const now = performance.now();
      elapsed = now - startedAt;
      batchRates.push(batchSize / ((now - batchStartedAt) / 1000));
    }
    return pairs;
  }

  return {
    async run(durationMs) {
      const batchRates: number[] = [];
      const startedAt = performance.now();
      const counts = await Promise.all(Array.from({ length: callers }, (_, index) => caller(index, durationMs, startedAt, batchRates)));
      const elapsed = performance.now() - startedAt;
      const pairs = counts.reduce((total, count) => total + count, 0);
      batchRates.sort((left, right) => left - right);
      return {
        pairsPerSecond: Math.round(pairs / (elapsed / 1000)),
        pairs,
        elapsedMs: Math.round(elapsed),
        requesters,
        callers,
        batchPairsPerSecond: {
          min: Math.round(batchRates[0] ?? 0),
          p50: Math.round(percentileOfSorted(batchRates, 0.5)),
          max: Math.round(batchRates[batchRates.length - 1] ?? 0),
        },
      };
    },
    close: () => opened.close(),
  };
}
