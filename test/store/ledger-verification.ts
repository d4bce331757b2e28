// Checks a store's accounts against its ledger, its open jobs and what random runners say they did.
import { expect } from 'vitest';
import { unbalancedAccounts, type AccountAudit, type BotStore } from '../../src/store/index.ts';
import type { AccountTally, RandomRunReport } from './random-ledger-operations.ts';

/** The quota the random runs use. */
export const randomRunQuota = { dailyCredits: 6, communityDailyCredits: 25, adminUserIds: ['discord:admin'] };
/** Users of the random runs: one admin, and users of both platforms. */
export const randomRunUsers = ['discord:admin', ...Array.from({ length: 11 }, (_, index) => (index % 2 === 0 ? `discord:u${index}` : `slack:U${index}`))];
/** Communities of the random runs, one per platform. */
export const randomRunCommunities = ['discord:guild-1', 'slack:T-1'];

/** The tallies of several runners added up (`available` cannot be: each runner saw only its own changes). */
export function mergeTallies(reports: readonly RandomRunReport[]): Record<string, AccountTally> {
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
export async function verifyLedger(store: BotStore, tallies: Record<string, AccountTally>, exactAvailable: boolean): Promise<AccountAudit[]> {
  const audits = await store.auditAccounts();
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
    const allowance = audit.scope === 'user' ? randomRunQuota.dailyCredits : randomRunQuota.communityDailyCredits;
    if (exactAvailable) expect(audit.available, key).toBe(tally.available);
    else if (tally.resets === 0) expect(audit.available, key).toBe(allowance + tally.granted - tally.reserved + tally.refunded);
  }
  for (const [key, tally] of Object.entries(tallies)) {
    if (!seen.has(key)) expect(tally.reserved + tally.granted + tally.resets, key).toBe(0);
  }
  for (const user of randomRunUsers) {
    const sums = new Map<string, { amount: number; reserved: number }>();
    for (const entry of await store.entries(user, 1_000_000)) {
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
  const openJobs = await store.listByState(['queued', 'submitted', 'running', 'succeeded']);
  expect(reservedTotal).toBe(openJobs.reduce((sum, job) => sum + job.cost, 0));
  return audits;
}
