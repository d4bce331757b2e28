// Measures quota reserve+commit pairs per second on a fresh SQLite file, apart from the job run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config.ts';
import { openStore } from '../../src/store/index.ts';
import { percentileOfSorted } from './percentiles.ts';

/** What the ledger measurement found. */
export interface LedgerThroughput {
  /** Reserve+commit pairs per second, each call its own IMMEDIATE transaction. */
  pairsPerSecond: number;
  pairs: number;
  elapsedMs: number;
  /** Distinct requesters the pairs rotated over. */
  requesters: number;
  /** The rate within each batch of pairs: a wide spread means other work on the machine interfered. */
  batchPairsPerSecond: { min: number; p50: number; max: number };
}

/** Pairs between clock reads: reading the clock every pair would be a measurable share of the cost. */
const batchSize = 500;

/**
 * Runs reserve+commit pairs back to back for about `durationMs` over `requesters` users, exactly
 * as a job's start and delivery would move their credits (the job row writes are not included).
 */
export async function measureLedgerThroughput(durationMs: number, requesters = 1000): Promise<LedgerThroughput> {
  const directory = mkdtempSync(join(tmpdir(), 'nano-imagine-ledger-'));
  // An allowance no run can exhaust: a refusal would measure the error path instead.
  const config = parseConfig({ DATABASE_PATH: join(directory, 'ledger.db'), QUOTA_DAILY_CREDITS: '1000000000' });
  const opened = await openStore(config);
  try {
    const keys = Array.from({ length: requesters }, (_, index) => `cli:ledger-${index}`);
    // Opening each user's day writes extra rows once; do it before the clock starts.
    for (const key of keys) {
      const now = Date.now();
      await opened.store.commitCredits(await opened.store.reserveCredits({ requesterKey: key, cost: 1, unlimited: false, jobId: null, now }), now);
    }
    let pairs = 0;
    const startedAt = performance.now();
    let elapsed = 0;
    const batchRates: number[] = [];
    while (elapsed < durationMs) {
      const batchStartedAt = elapsed;
      for (let index = 0; index < batchSize; index += 1) {
        const now = Date.now();
        const requesterKey = keys[(pairs + index) % keys.length] as string;
        const reservation = await opened.store.reserveCredits({ requesterKey, cost: 1, unlimited: false, jobId: null, now });
        await opened.store.commitCredits(reservation, now);
      }
      pairs += batchSize;
      elapsed = performance.now() - startedAt;
      batchRates.push(batchSize / ((elapsed - batchStartedAt) / 1000));
    }
    batchRates.sort((left, right) => left - right);
    return {
      pairsPerSecond: Math.round(pairs / (elapsed / 1000)),
      pairs,
      elapsedMs: Math.round(elapsed),
      requesters,
      batchPairsPerSecond: {
        min: Math.round(batchRates[0] ?? 0),
        p50: Math.round(percentileOfSorted(batchRates, 0.5)),
        max: Math.round(batchRates[batchRates.length - 1] ?? 0),
      },
    };
  } finally {
    await opened.close();
    rmSync(directory, { recursive: true, force: true });
  }
}
