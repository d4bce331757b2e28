// Ledger invariants on a real SQLite file under random load: async tasks on one connection, and worker threads on their own.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { auditQuotaAccounts, unbalancedAccounts, type AccountAudit } from '../../src/store/index.ts';
import type { LedgerWorkerInput } from './ledger-worker.ts';
import { runRandomOperations, type AccountTally, type OpenJob, type RandomRunOptions, type RandomRunReport } from './random-ledger-operations.ts';
import { at, openTestStore, temporaryFolder, type QuotaOverrides, type TestStore } from './store-fixtures.ts';

const quota = { dailyCredits: 6, communityDailyCredits: 25, adminUserIds: ['discord:admin'] } satisfies QuotaOverrides;
const users = ['discord:admin', ...Array.from({ length: 11 }, (_, index) => (index % 2 === 0 ? `discord:u${index}` : `slack:U${index}`))];
const communities = ['discord:guild-1', 'slack:T-1'];
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function baseRun(label: string, seed: number, operations: number): Omit<RandomRunOptions, 'isAdmin'> {
  return {
    label, seed, operations, users, resetUsers: [], communities,
    // Starts five minutes before midnight and crosses it halfway: refunds then go to yesterday.
    startAt: at('2026-11-21T23:55:00Z'), stepMs: 1000 * (600 / operations) * 2,
    dailyCredits: quota.dailyCredits, communityDailyCredits: quota.communityDailyCredits,
  };
}

// Worker threads do not inherit vitest's TypeScript transform; tsx's loader, registered first, compiles the worker.
// require.resolve finds tsx's CommonJS build; the ES module build sits next to it.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
const workerEntry = new URL('./ledger-worker.ts', import.meta.url).href;
const bootstrap = `import(${JSON.stringify(tsxLoader)}).then(({ register }) => { register(); return import(${JSON.stringify(workerEntry)}); });`;

/** Runs the worker until it reports; `go` releases it once every worker has its connection open. */
function startWorker(input: LedgerWorkerInput): { ready: Promise<void>; go(): void; done: Promise<unknown> } {
  const worker = new Worker(bootstrap, { eval: true, workerData: input });
  cleanups.push(() => void worker.terminate());
  let markReady: () => void = () => {};
  let fail: (error: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    fail = reject;
  });
  const done = new Promise<unknown>((resolve, reject) => {
    const stop = (error: Error) => {
      fail(error);
      reject(error);
    };
    worker.on('message', (message: { ready?: true; ok?: boolean; result?: unknown; error?: string }) => {
      if (message.ready) markReady();
      else if (message.ok) resolve(message.result);
      else stop(new Error(`worker ${input.run.label} failed: ${message.error}`));
    });
    worker.on('error', stop);
    worker.on('exit', (code) => stop(new Error(`worker ${input.run.label} exited with ${code} before reporting`)));
  });
  // Rejections are observed through `ready` or `done`, whichever the test is awaiting.
  done.catch(() => {});
  return { ready, go: () => worker.postMessage('go'), done };
}

function mergeTallies(reports: readonly RandomRunReport[]): Record<string, AccountTally> {
  const merged: Record<string, AccountTally> = {};
  for (const report of reports) {
    for (const [key, tally] of Object.entries(report.tallies)) {
      const into = (merged[key] ??= { reserved: 0, committed: 0, refunded: 0, granted: 0, resets: 0, available: Number.NaN });
      into.reserved += tally.reserved;
      into.committed += tally.committed;
      into.refunded += tally.refunded;
      into.granted += tally.granted;
      into.resets += tally.resets;
    }
  }
  return merged;
}

/**
 * Every account day: stored available = sum of its ledger amounts (read through `entries`), reserved =
 * reserves − commits − refunds = what open jobs hold, never below zero, and equal to what the runners did.
 */
function verify(test: TestStore, tallies: Record<string, AccountTally>, openJobs: readonly OpenJob[], exactAvailable: boolean): AccountAudit[] {
  const audits = auditQuotaAccounts(test.database);
  expect(unbalancedAccounts(audits)).toEqual([]);
  const seen = new Set<string>();
  for (const audit of audits) {
    const key = `${audit.scope}|${audit.accountKey}|${audit.quotaDay}`;
    seen.add(key);
    const tally = tallies[key];
    expect(tally, key).toBeDefined();
    if (tally === undefined) continue;
    expect(audit.available, key).toBeGreaterThanOrEqual(0);
    expect(audit.reserved, key).toBe(tally.reserved - tally.committed - tally.refunded);
    const allowance = audit.scope === 'user' ? quota.dailyCredits : quota.communityDailyCredits;
    if (exactAvailable) expect(audit.available, key).toBe(tally.available);
    else if (tally.resets === 0) expect(audit.available, key).toBe(allowance + tally.granted - tally.reserved + tally.refunded);
  }
  for (const [key, tally] of Object.entries(tallies)) {
    if (!seen.has(key)) expect(tally.reserved + tally.granted + tally.resets, key).toBe(0);
  }
  for (const user of users) {
    const sums = new Map<string, { amount: number; reserved: number }>();
    for (const entry of test.store.entries(user, 1_000_000)) {
      const sum = sums.get(entry.quotaDay) ?? { amount: 0, reserved: 0 };
      sum.amount += entry.amount;
      sum.reserved += entry.reservedChange;
      sums.set(entry.quotaDay, sum);
    }
    for (const audit of audits.filter((row) => row.scope === 'user' && row.accountKey === user)) {
      expect(sums.get(audit.quotaDay), `${user} ${audit.quotaDay}`).toEqual({ amount: audit.available, reserved: audit.reserved });
    }
  }
  const reservedTotal = audits.filter((audit) => audit.scope === 'user').reduce((sum, audit) => sum + audit.reserved, 0);
  expect(reservedTotal).toBe(openJobs.reduce((sum, job) => sum + job.cost, 0));
  return audits;
}

describe('ledger invariants on a real SQLite file', () => {
  it('hold after thousands of random operations from interleaved async tasks', async () => {
    const test = openTestStore({ quota });
    cleanups.push(test.close);
    const tallies: Record<string, AccountTally> = {};
    const reports = await Promise.all(
      Array.from({ length: 6 }, (_, task) =>
        runRandomOperations(test.store, {
          ...baseRun(`task${task}`, 1000 + task, 700),
          resetUsers: users.slice(1, 4),
          isAdmin: test.policy.isAdmin,
          tallies,
          pause: () => (task % 2 === 0 ? nextTurn() : new Promise((resolve) => setTimeout(resolve, 0))),
        })),
    );
    const total = (name: keyof RandomRunReport['counts']) => reports.reduce((sum, report) => sum + report.counts[name], 0);
    expect(total('created')).toBeGreaterThan(500);
    expect(total('refused')).toBeGreaterThan(100);
    expect(total('delivered') + total('failed') + total('pairs') + total('grants') + total('resets') + total('duplicates')).toBeGreaterThan(1500);
    const audits = verify(test, tallies, reports.flatMap((report) => report.openJobs), true);
    expect(new Set(audits.map((audit) => audit.quotaDay))).toEqual(new Set(['2026-11-21', '2026-11-22']));
  });

  it('hold with worker threads and the main thread on separate connections to one file', async () => {
    const folder = temporaryFolder();
    cleanups.push(folder.remove);
    const path = join(folder.path, 'shared.db');
    const test = openTestStore({ path, quota });
    cleanups.push(() => test.database.close());
    const workers = [0, 1, 2].map((index) =>
      startWorker({
        path, quota, mode: 'random',
        run: { ...baseRun(`worker${index}`, 2000 + index, 1500), resetUsers: [users[1 + index] as string] },
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
    verify(test, mergeTallies(reports), reports.flatMap((report) => report.openJobs), false);
  });

  it('never hands out more than the allowance when connections race for the last credits', async () => {
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
        test.store.reserveCredits({ requesterKey, cost: 1, unlimited: false, jobId: `main-${step}`, now });
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
      expect(test.store.balance(user, now)).toMatchObject({ remaining: 0, reserved: 150 });
    }
    const audits = auditQuotaAccounts(test.database);
    // These reservations have no job rows, so only the ledger sums apply here.
    expect(audits.every((audit) => audit.available === audit.ledgerAvailable && audit.reserved === audit.ledgerReserved)).toBe(true);
  });
});
