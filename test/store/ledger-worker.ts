// Worker thread for the SQLite ledger tests: its own connection to the shared file, running random operations or a race for credits.
import { parentPort, workerData } from 'node:worker_threads';
import { BotError } from '../../src/core/errors.ts';
import { createQuotaPolicy } from '../../src/core/quota-policy.ts';
import { createSqliteStore, openDatabase } from '../../src/store/index.ts';
import { defaultQuota, type QuotaOverrides } from './store-fixtures.ts';
import { runRandomOperations, type RandomRunOptions } from './random-ledger-operations.ts';

/** What the test sends each worker. */
export interface LedgerWorkerInput {
  path: string;
  quota: QuotaOverrides;
  /** Random mix, or only reservations of 1 credit (to race for the last credits). */
  mode: 'random' | 'reserve-only';
  run: Omit<RandomRunOptions, 'isAdmin' | 'pause' | 'tallies' | 'lock'>;
}

const input = workerData as LedgerWorkerInput;
const database = openDatabase(input.path);
const policy = createQuotaPolicy({ ...defaultQuota, ...input.quota });
const store = createSqliteStore({ database, policy });

async function reserveOnly(): Promise<{ reservedBy: Record<string, number>; refused: number }> {
  const reservedBy: Record<string, number> = {};
  let refused = 0;
  for (let step = 0; step < input.run.operations; step++) {
    const requesterKey = input.run.users[step % input.run.users.length] as string;
    try {
      await store.reserveCredits({ requesterKey, cost: 1, unlimited: false, jobId: `${input.run.label}-${step}`, now: input.run.startAt });
      reservedBy[requesterKey] = (reservedBy[requesterKey] ?? 0) + 1;
    } catch (error) {
      if (!(error instanceof BotError && error.code === 'quota_exceeded')) throw error;
      refused++;
    }
  }
  return { reservedBy, refused };
}

// Every worker opens its connection first and then waits for the same "go", so their operations overlap.
parentPort?.postMessage({ ready: true });
await new Promise((resolve) => parentPort?.once('message', resolve));

try {
  const startedAt = Date.now();
  const result = input.mode === 'reserve-only'
    ? await reserveOnly()
    : await runRandomOperations(store, { ...input.run, isAdmin: policy.isAdmin });
  parentPort?.postMessage({ ok: true, result: { ...result, startedAt, finishedAt: Date.now() } });
} catch (error) {
  parentPort?.postMessage({ ok: false, error: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error) });
} finally {
  database.close();
}
