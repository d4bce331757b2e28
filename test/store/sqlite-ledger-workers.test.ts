// SQLite only: ledger invariants when worker threads, each on its own connection, write to one file truly at the same time.
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startTsxWorker, type StartedWorker } from '../support/tsx-worker.ts';
import { baseRun } from './contract-ledger-invariants.ts';
import type { LedgerWorkerInput } from './ledger-worker.ts';
import { mergeTallies, randomRunQuota, randomRunUsers, verifyLedger } from './ledger-verification.ts';
import { runRandomOperations, type RandomRunReport } from './random-ledger-operations.ts';
import { at, openTestStore, temporaryFolder } from './store-fixtures.ts';

// A better-sqlite3 connection runs each call to completion on its thread, so stores on one thread take
// turns; only threads of their own make connections contend for the file's lock the way processes do.

const cleanups: Array<() => void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

const workerEntry = new URL('./ledger-worker.ts', import.meta.url);

/** Runs the worker until it reports; `go` releases it once every worker has its connection open. */
function startWorker(input: LedgerWorkerInput): StartedWorker {
  const worker = startTsxWorker(workerEntry, input, input.run.label);
  cleanups.push(() => void worker.terminate());
  return worker;
}

describe('SQLite ledger invariants across worker threads', () => {
  it('hold with worker threads and the main thread on separate connections to one file', { timeout: 120_000 }, async () => {
    const folder = temporaryFolder();
    cleanups.push(folder.remove);
    const path = join(folder.path, 'shared.db');
    const test = openTestStore({ path, quota: randomRunQuota });
    cleanups.push(() => test.database.close());
    const workers = [0, 1, 2].map((index) =>
      startWorker({
        path, quota: randomRunQuota, mode: 'random',
        run: { ...baseRun(`worker${index}`, 2000 + index, 1500), resetUsers: [randomRunUsers[1 + index] as string] },
      }));
    await Promise.all(workers.map((worker) => worker.ready));
    workers.forEach((worker) => worker.go());
    const mainTasks = [0, 1].map((task) =>
      runRandomOperations(test.store, { ...baseRun(`main${task}`, 3000 + task, 800), isAdmin: test.policy.isAdmin, pause: () => nextTurn() }));
    const reports = (await Promise.all([...workers.map((worker) => worker.done), ...mainTasks])) as RandomRunReport[];
    const windows = reports.slice(0, workers.length) as Array<RandomRunReport & { startedAt: number; finishedAt: number }>;
    // The workers really ran at the same time: each started before any of them finished.
    expect(Math.max(...windows.map((window) => window.startedAt))).toBeLessThan(Math.min(...windows.map((window) => window.finishedAt)));
    expect(reports.reduce((sum, report) => sum + report.counts.refused, 0)).toBeGreaterThan(100);
    await verifyLedger(test.store, mergeTallies(reports), false);
  });

  it('never hands out more than the allowance when threads race for the last credits', async () => {
    const folder = temporaryFolder();
    cleanups.push(folder.remove);
    const path = join(folder.path, 'race.db');
    const raceQuota = { dailyCredits: 150 };
    const hotUsers = ['discord:hot1', 'discord:hot2', 'slack:hot3'];
    const now = at('2026-11-21T15:00:00Z');
    const test = openTestStore({ path, quota: raceQuota });
    cleanups.push(() => test.database.close());
    const run = (label: string) => ({ ...baseRun(label, 1, 300), users: hotUsers, startAt: now });
    const workers = [0, 1, 2, 3].map((index) => startWorker({ path, quota: raceQuota, mode: 'reserve-only', run: run(`race${index}`) }));
    await Promise.all(workers.map((worker) => worker.ready));
    workers.forEach((worker) => worker.go());
    const mainReserved: Record<string, number> = {};
    for (let step = 0; step < 300; step++) {
      const requesterKey = hotUsers[step % hotUsers.length] as string;
      try {
        await test.store.reserveCredits({ requesterKey, cost: 1, unlimited: false, jobId: `main-${step}`, now });
        mainReserved[requesterKey] = (mainReserved[requesterKey] ?? 0) + 1;
      } catch {
        // Refusals are the point: the credits ran out.
      }
      if (step % 10 === 0) await nextTurn();
    }
    const results = (await Promise.all(workers.map((worker) => worker.done))) as Array<{ reservedBy: Record<string, number>; refused: number }>;
    expect(results.reduce((sum, result) => sum + result.refused, 0)).toBeGreaterThan(0);
    for (const user of hotUsers) {
      const granted = results.reduce((sum, result) => sum + (result.reservedBy[user] ?? 0), mainReserved[user] ?? 0);
      expect(granted, user).toBe(150);
      expect(await test.store.balance(user, now)).toMatchObject({ remaining: 0, reserved: 150 });
    }
    const audits = await test.store.auditAccounts();
    // These reservations have no job rows, so only the ledger sums apply here.
    expect(audits.every((audit) => audit.available === audit.ledgerAvailable && audit.reserved === audit.ledgerReserved)).toBe(true);
  });
});
