// Contract: ledger invariants under random load, from tasks sharing one store and from several stores on one database.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BotError } from '../../src/core/errors.ts';
import type { BotStore } from '../../src/store/index.ts';
import { mergeTallies, randomRunCommunities, randomRunQuota, randomRunUsers, verifyLedger } from './ledger-verification.ts';
import { runRandomOperations, type AccountTally, type RandomRunOptions, type RandomRunReport } from './random-ledger-operations.ts';
import { useFixtures, type OpenStoreFixture } from './store-contract.ts';
import { at } from './store-fixtures.ts';

/** A run's settings; it starts five minutes before midnight and crosses it halfway, so refunds then go to yesterday. */
export function baseRun(label: string, seed: number, operations: number): Omit<RandomRunOptions, 'isAdmin'> {
  return {
    label, seed, operations, users: randomRunUsers, resetUsers: [], communities: randomRunCommunities,
    startAt: at('2026-11-21T23:55:00Z'), stepMs: 1000 * (600 / operations) * 2,
    dailyCredits: randomRunQuota.dailyCredits, communityDailyCredits: randomRunQuota.communityDailyCredits,
  };
}

/** A readers–writer lock granting turns in order of asking: shared turns overlap, an exclusive one runs alone. */
function createReadWriteLock(): (exclusive: boolean) => Promise<() => void> {
  const waiting: Array<{ exclusive: boolean; start(): void }> = [];
  let readers = 0;
  let writing = false;
  const grant = () => {
    // The head of the line goes first, so a waiting reset is not starved by operations that came after it.
    for (let next = waiting[0]; next !== undefined; next = waiting[0]) {
      if (writing || (next.exclusive && readers > 0)) return;
      waiting.shift();
      if (next.exclusive) writing = true;
      else readers++;
      next.start();
    }
  };
  return (exclusive) =>
    new Promise((resolve) => {
      const release = () => {
        if (exclusive) writing = false;
        else readers--;
        grant();
      };
      waiting.push({ exclusive, start: () => resolve(release) });
      grant();
    });
}

/** Reserves one credit at a time for the hot users until `steps` tries are made; returns what it got. */
async function reserveRepeatedly(store: BotStore, label: string, users: readonly string[], steps: number, now: number) {
  const reservedBy: Record<string, number> = {};
  let refused = 0;
  for (let step = 0; step < steps; step++) {
    const requesterKey = users[step % users.length] as string;
    try {
      await store.reserveCredits({ requesterKey, cost: 1, unlimited: false, jobId: `${label}-${step}`, now });
      reservedBy[requesterKey] = (reservedBy[requesterKey] ?? 0) + 1;
    } catch (error) {
      if (!(error instanceof BotError && error.code === 'quota_exceeded')) throw error;
      refused++;
    }
  }
  return { reservedBy, refused };
}

/** The ledger invariant tests, run against the store `openFixture` opens. */
export function describeLedgerInvariantContract(openFixture: OpenStoreFixture): void {
  describe('ledger invariants under random load', () => {
    const open = useFixtures(openFixture);

    it('hold after thousands of random operations from interleaved tasks on one store', { timeout: 120_000 }, async () => {
      const { store, policy } = await open(randomRunQuota);
      const tallies: Record<string, AccountTally> = {};
      const lock = createReadWriteLock();
      const reports = await Promise.all(
        Array.from({ length: 6 }, (_, task) =>
          runRandomOperations(store, {
            ...baseRun(`task${task}`, 1000 + task, 700),
            resetUsers: randomRunUsers.slice(1, 4),
            isAdmin: policy.isAdmin,
            tallies,
            lock,
            pause: () => (task % 2 === 0 ? nextTurn() : new Promise((resolve) => setTimeout(resolve, 0))),
          })),
      );
      const total = (name: keyof RandomRunReport['counts']) => reports.reduce((sum, report) => sum + report.counts[name], 0);
      expect(total('created')).toBeGreaterThan(500);
      expect(total('refused')).toBeGreaterThan(100);
      expect(total('delivered') + total('failed') + total('pairs') + total('grants') + total('resets') + total('duplicates')).toBeGreaterThan(1500);
      const audits = await verifyLedger(store, tallies, true);
      expect(new Set(audits.map((audit) => audit.quotaDay))).toEqual(new Set(['2026-11-21', '2026-11-22']));
    });

    it('hold with four stores on one database working at once', { timeout: 120_000 }, async () => {
      const fixture = await open(randomRunQuota);
      const stores = [fixture.store, ...(await Promise.all([1, 2, 3].map(() => fixture.openAnother())))];
      const reports = await Promise.all(
        stores.flatMap((store, index) =>
          [0, 1].map((task) =>
            runRandomOperations(store, {
              ...baseRun(`store${index}-task${task}`, 2000 + 10 * index + task, 500),
              // Each user is reset by one runner at most; a reset's effect on the others' tallies is not exact.
              resetUsers: task === 0 ? [randomRunUsers[1 + index] as string] : [],
              isAdmin: fixture.policy.isAdmin,
              pause: () => nextTurn(),
            }))),
      );
      expect(reports.reduce((sum, report) => sum + report.counts.refused, 0)).toBeGreaterThan(100);
      expect(reports.reduce((sum, report) => sum + report.counts.delivered + report.counts.failed, 0)).toBeGreaterThan(500);
      await verifyLedger(fixture.store, mergeTallies(reports), false);
    });

    it('never hands out more than the allowance when stores race for the last credits', { timeout: 60_000 }, async () => {
      const fixture = await open({ dailyCredits: 150 });
      const stores = [fixture.store, ...(await Promise.all([1, 2, 3].map(() => fixture.openAnother())))];
      const hotUsers = ['discord:hot1', 'discord:hot2', 'slack:hot3'];
      const now = at('2026-11-21T15:00:00Z');
      const results = await Promise.all(
        stores.flatMap((store, index) => [0, 1].map((task) => reserveRepeatedly(store, `race${index}-${task}`, hotUsers, 75, now))),
      );
      expect(results.reduce((sum, result) => sum + result.refused, 0)).toBeGreaterThan(0);
      for (const user of hotUsers) {
        const granted = results.reduce((sum, result) => sum + (result.reservedBy[user] ?? 0), 0);
        expect(granted, user).toBe(150);
        expect(await fixture.store.balance(user, now)).toMatchObject({ remaining: 0, reserved: 150 });
      }
      const audits = await fixture.store.auditAccounts();
      // These reservations have no job rows, so only the ledger sums apply here.
      expect(audits.every((audit) => audit.available === audit.ledgerAvailable && audit.reserved === audit.ledgerReserved)).toBe(true);
    });
  });
}
