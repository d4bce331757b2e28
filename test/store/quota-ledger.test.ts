// Quotas over SQLite: refusals with the user's message and no writes, community caps, admins, UTC days, grants, resets.
import { afterEach, describe, expect, it } from 'vitest';
import { BotError } from '../../src/core/errors.ts';
import { auditQuotaAccounts, unbalancedAccounts } from '../../src/store/index.ts';
import { at, newJob, openTestStore, type QuotaOverrides, type TestStore } from './store-fixtures.ts';

let opened: TestStore[] = [];
afterEach(() => {
  for (const test of opened) test.close();
  opened = [];
});

function open(quota: QuotaOverrides = {}): TestStore {
  const test = openTestStore({ quota });
  opened.push(test);
  return test;
}

function refusal(action: () => unknown): BotError {
  try {
    action();
  } catch (error) {
    if (error instanceof BotError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

function rowCount(test: TestStore, table: 'jobs' | 'quota_ledger' | 'quota_accounts'): number {
  return test.database.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get() ?? 0;
}

function expectBalanced(test: TestStore): void {
  expect(unbalancedAccounts(auditQuotaAccounts(test.database))).toEqual([]);
}

const evening = at('2026-11-21T20:48:00Z');

describe('quota ledger', () => {
  it('refuses with the cost, what is left and when it resets, and writes nothing', () => {
    const test = open({ dailyCredits: 1 });
    const { store } = test;
    const before = { jobs: rowCount(test, 'jobs'), ledger: rowCount(test, 'quota_ledger'), accounts: rowCount(test, 'quota_accounts') };
    const error = refusal(() => store.createJob(newJob({ id: 'job-4k', resolution: '4K', now: evening })));
    expect(error.code).toBe('quota_exceeded');
    expect(error.message).toBe('This 4K image costs 2 credits and you have 1 left today. Credits reset at 00:00 UTC (in 3 h 12 min).');
    expect(store.get('job-4k')).toBeUndefined();
    expect(store.entries('discord:alice')).toEqual([]);
    expect({ jobs: rowCount(test, 'jobs'), ledger: rowCount(test, 'quota_ledger'), accounts: rowCount(test, 'quota_accounts') }).toEqual(before);
  });

  it('names credits held by images in progress, and leaves an open day as it was', () => {
    const test = open({ dailyCredits: 3 });
    const { store } = test;
    store.createJob(newJob({ id: 'first', resolution: '4K', now: evening }));
    const entriesBefore = store.entries('discord:alice');
    const error = refusal(() => store.createJob(newJob({ id: 'second', resolution: '4K', now: evening + 60_000 })));
    expect(error.message).toBe(
      'This 4K image costs 2 credits and you have 1 left today (2 credits are held by images still in progress). '
        + 'Credits reset at 00:00 UTC (in 3 h 11 min).',
    );
    expect(store.entries('discord:alice')).toEqual(entriesBefore);
    expect(store.balance('discord:alice', evening)).toMatchObject({ remaining: 1, reserved: 2 });
  });

  it('applies the community cap across users and says it is the server’s or workspace’s cap', () => {
    const test = open({ dailyCredits: 10, communityDailyCredits: 3 });
    const { store } = test;
    store.createJob(newJob({ id: 'a-1', requesterKey: 'discord:alice', communityKey: 'discord:guild', resolution: '4K', now: evening }));
    const error = refusal(() =>
      store.createJob(newJob({ id: 'b-1', requesterKey: 'discord:bob', communityKey: 'discord:guild', resolution: '4K', now: evening })),
    );
    expect(error.code).toBe('quota_exceeded');
    expect(error.message).toBe(
      'This 4K image costs 2 credits and this server has 1 left of its daily cap of 3 credits '
        + '(2 credits are held by images still in progress). The server\'s cap resets at 00:00 UTC (in 3 h 12 min).',
    );
    // Bob's own day was opened and charged inside the refused transaction; both were rolled back.
    expect(store.entries('discord:bob')).toEqual([]);
    expect(store.balance('discord:bob', evening)).toMatchObject({ remaining: 10, reserved: 0 });
    // Another community, or one cheap image, still fits.
    store.createJob(newJob({ id: 'b-2', requesterKey: 'discord:bob', communityKey: 'discord:other', resolution: '4K', now: evening }));
    store.createJob(newJob({ id: 'b-3', requesterKey: 'discord:bob', communityKey: 'discord:guild', resolution: '1K', now: evening }));
    // A refund gives the cap back too.
    store.markFailed('a-1', { code: 'provider_failed', message: 'x', retryable: true }, evening);
    store.createJob(newJob({ id: 'b-4', requesterKey: 'discord:bob', communityKey: 'discord:guild', resolution: '4K', now: evening }));

    const slack = refusal(() =>
      store.createJob(newJob({ id: 's-1', requesterKey: 'slack:U1', communityKey: 'slack:T1', resolution: '4K', cost: 4, now: evening })),
    );
    expect(slack.message).toBe(
      'This 4K image costs 4 credits and this workspace has 3 left of its daily cap of 3 credits. '
        + 'The workspace\'s cap resets at 00:00 UTC (in 3 h 12 min).',
    );
    expectBalanced(test);
  });

  it('lets admins past every limit while still writing the job and its ledger rows', () => {
    const test = open({ dailyCredits: 0, communityDailyCredits: 0 });
    const { store } = test;
    expect(refusal(() => store.createJob(newJob({ id: 'user', now: evening }))).message).toMatch(/^This 1K image costs 1 credit and you have none left today\./);
    const admin = { requesterKey: 'discord:admin', communityKey: 'discord:guild', unlimited: true, now: evening };
    for (let index = 0; index < 5; index++) store.createJob(newJob({ ...admin, id: `admin-${index}`, resolution: '4K' }));
    expect(store.get('admin-0')?.cost).toBe(0);
    store.markSucceeded('admin-0', { url: 'https://x.example/a.png' }, evening);
    store.markDelivered('admin-0', 'message', evening);
    expect(store.balance('discord:admin', evening)).toEqual({
      remaining: Number.POSITIVE_INFINITY,
      reserved: 0,
      dailyCredits: 0,
      resetsAt: at('2026-11-22T00:00:00Z'),
      unlimited: true,
    });
    expect(store.entries('discord:admin').filter((entry) => entry.kind === 'reserve')).toHaveLength(5);
    expect(store.entries('discord:admin').filter((entry) => entry.kind === 'commit')).toHaveLength(1);
    expectBalanced(test);
  });

  it('starts every UTC day with the allowance and refunds after midnight to the reservation’s day', () => {
    const test = open({ dailyCredits: 4 });
    const { store } = test;
    const beforeMidnight = at('2026-11-21T23:59:30Z');
    const afterMidnight = at('2026-11-22T00:00:30Z');
    store.createJob(newJob({ id: 'late', resolution: '4K', now: beforeMidnight }));
    store.createJob(newJob({ id: 'later', resolution: '1K', now: beforeMidnight }));
    expect(store.balance('discord:alice', beforeMidnight)).toMatchObject({ remaining: 1, reserved: 3, resetsAt: at('2026-11-22T00:00:00Z') });

    const nextDay = store.balance('discord:alice', afterMidnight);
    expect(nextDay).toMatchObject({ remaining: 4, reserved: 3, resetsAt: at('2026-11-23T00:00:00Z') });
    store.createJob(newJob({ id: 'morning', resolution: '4K', now: afterMidnight }));
    expect(store.get('morning')?.quotaDay).toBe('2026-11-22');

    expect(store.markFailed('late', { code: 'provider_timeout', message: 'x', retryable: true }, afterMidnight)).toEqual({ refunded: 2 });
    store.markSucceeded('later', { url: 'https://x.example/a.png' }, afterMidnight);
    store.markDelivered('later', 'message', afterMidnight);
    // Today's credits are untouched by yesterday's settlements.
    expect(store.balance('discord:alice', afterMidnight)).toMatchObject({ remaining: 2, reserved: 2 });
    expect(store.balance('discord:alice', beforeMidnight)).toMatchObject({ remaining: 3 });
    const settlements = store.entries('discord:alice').filter((entry) => entry.kind === 'refund' || entry.kind === 'commit');
    expect(settlements.map((entry) => [entry.kind, entry.jobId, entry.quotaDay, entry.createdAt])).toEqual([
      ['commit', 'later', '2026-11-21', afterMidnight],
      ['refund', 'late', '2026-11-21', afterMidnight],
    ]);
    expectBalanced(test);
  });

  it('grants credits for today and resets today to the allowance, keeping reservations', () => {
    const test = open({ dailyCredits: 5 });
    const { store } = test;
    const now = at('2026-11-21T09:00:00Z');
    expect(store.grant('discord:carol', 3, 'discord:admin', now)).toMatchObject({ remaining: 8, reserved: 0, unlimited: false });
    store.createJob(newJob({ id: 'c-1', requesterKey: 'discord:carol', resolution: '4K', now }));
    expect(store.reset('discord:carol', 'discord:admin', now)).toMatchObject({ remaining: 5, reserved: 2 });
    expect(store.reset('discord:carol', 'cli:root', now)).toMatchObject({ remaining: 5, reserved: 2 });
    expect(store.entries('discord:carol').map((entry) => [entry.kind, entry.amount, entry.actorKey])).toEqual([
      ['reset', 0, 'cli:root'],
      ['reset', -1, 'discord:admin'],
      ['reserve', -2, 'discord:carol'],
      ['grant', 3, 'discord:admin'],
      ['reset', 5, 'system:daily-allowance'],
    ]);
    expect(store.entries('discord:carol', 2)).toHaveLength(2);
    store.markFailed('c-1', { code: 'provider_failed', message: 'x', retryable: true }, now);
    expect(store.balance('discord:carol', now)).toMatchObject({ remaining: 7, reserved: 0 });
    expect(refusal(() => store.grant('discord:carol', 0, 'discord:admin', now)).code).toBe('invalid_request');
    expect(refusal(() => store.grant('discord:carol', 1.5, 'discord:admin', now)).code).toBe('invalid_request');
    expectBalanced(test);
  });

  it('reads a balance without writing anything', () => {
    const test = open({ dailyCredits: 7 });
    expect(test.store.balance('slack:U9', evening)).toEqual({
      remaining: 7,
      reserved: 0,
      dailyCredits: 7,
      resetsAt: at('2026-11-22T00:00:00Z'),
      unlimited: false,
    });
    expect(rowCount(test, 'quota_accounts')).toBe(0);
    expect(rowCount(test, 'quota_ledger')).toBe(0);
  });

  it('reserves and settles without a job through the standalone pair', () => {
    const test = open({ dailyCredits: 2 });
    const { store } = test;
    const first = store.reserveCredits({ requesterKey: 'cli:bench', cost: 1, unlimited: false, jobId: 'pair-1', now: evening });
    const second = store.reserveCredits({ requesterKey: 'cli:bench', cost: 1, unlimited: false, jobId: 'pair-2', now: evening });
    expect(refusal(() => store.reserveCredits({ requesterKey: 'cli:bench', cost: 1, unlimited: false, jobId: 'pair-3', now: evening })).code)
      .toBe('quota_exceeded');
    store.commitCredits(first, evening);
    store.refundCredits(second, evening);
    expect(store.balance('cli:bench', evening)).toMatchObject({ remaining: 1, reserved: 0 });
    expect(() => store.commitCredits(first, evening)).toThrow(/not reserved/);
    expectBalanced(test);
  });
});
