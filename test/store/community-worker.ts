// Worker thread for the SQLite community test: its own connection to the shared file, changing one community's settings and a user's allowance.
import { parentPort, workerData } from 'node:worker_threads';
import { createQuotaPolicy } from '../../src/core/quota-policy.ts';
import { createSqliteStore, openDatabase } from '../../src/store/index.ts';
import { defaultQuota } from './store-fixtures.ts';

/** What the test sends each worker. */
export interface CommunityWorkerInput {
  path: string;
  label: string;
  communityKey: string;
  /** Blocked terms this worker adds, one change each. */
  changes: number;
  /** Allowances this worker applies to `requesterKey` today, in order. */
  allowances: number[];
  requesterKey: string;
  now: number;
}

const input = workerData as CommunityWorkerInput;
const database = openDatabase(input.path);
const store = createSqliteStore({ database, policy: createQuotaPolicy(defaultQuota) });

// Every worker opens its connection first and then waits for the same "go", so their transactions overlap.
parentPort?.postMessage({ ready: true });
await new Promise((resolve) => parentPort?.once('message', resolve));

try {
  for (let index = 0; index < input.changes; index++) {
    await store.changeCommunitySettings(input.communityKey, { setting: 'blockTerm', entry: `${input.label}-${index}` }, `discord:${input.label}`, input.now + index);
    const allowance = input.allowances[index];
    if (allowance !== undefined) await store.applyAllowance(input.requesterKey, allowance, input.now + index);
  }
  parentPort?.postMessage({ ok: true, result: null });
} catch (error) {
  parentPort?.postMessage({ ok: false, error: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error) });
} finally {
  database.close();
}
