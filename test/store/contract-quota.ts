// Contract: quota refusals with the user's message and no writes, community caps, admins, UTC days, grants, resets.
import { describe, expect, it } from 'vitest';
import type { StoreFixture } from './store-contract.ts';
import { botErrorOf, expectBalanced, leaseOf, useFixtures, type OpenStoreFixture } from './store-contract.ts';
import { at, newJob } from './store-fixtures.ts';

const evening = at('2026-11-21T20:48:00Z');
const failure = { code: 'provider_failed', message: 'x', retryable: true } as const;

async function rowCounts(fixture: StoreFixture) {
  return { jobs: await fixture.countRows('jobs'), ledger: await fixture.countRows('quota_ledger'), accounts: await fixture.countRows('quota_accounts') };
}

/** The quota tests, run against the store `openFixture` opens. */
export function describeQuotaContract(openFixture: OpenStoreFixture): void {
  describe('quota ledger', () => {
    const open = useFixtures(openFixture);

    it('refuses with the cost, what is left and when it resets, and writes nothing', async () => {
      const fixture = await open({ dailyCredits: 1 });
      const { store } = fixture;
      const before = await rowCounts(fixture);
      const error = await botErrorOf(store.createJob(newJob({ id: 'job-4k', resolution: '4K', now: evening })));
      expect(error.code).toBe('quota_exceeded');
      expect(error.message).toBe('This 4K image costs 2 credits and you have 1 left today. Credits reset at 00:00 UTC (in 3 h 12 min).');
      expect(await store.get('job-4k')).toBeUndefined();
      expect(await store.entries('discord:alice')).toEqual([]);
      expect(await rowCounts(fixture)).toEqual(before);
    });

    it('names credits held by images in progress, and leaves an open day as it was', async () => {
      const { store } = await open({ dailyCredits: 3 });
      await store.createJob(newJob({ id: 'first', resolution: '4K', now: evening }));
      const entriesBefore = await store.entries('discord:alice');
      const error = await botErrorOf(store.createJob(newJob({ id: 'second', resolution: '4K', now: evening + 60_000 })));
      expect(error.message).toBe(
        'This 4K image costs 2 credits and you have 1 left today (2 credits are held by images still in progress). '
          + 'Credits reset at 00:00 UTC (in 3 h 11 min).',
      );
      expect(await store.entries('discord:alice')).toEqual(entriesBefore);
      expect(await store.balance('discord:alice', evening)).toMatchObject({ remaining: 1, reserved: 2 });
    });

    it('applies the community cap across users and says it is the server’s or workspace’s cap', async () => {
      const { store } = await open({ dailyCredits: 10, communityDailyCredits: 3 });
      await store.createJob(newJob({ id: 'a-1', requesterKey: 'discord:alice', communityKey: 'discord:guild', resolution: '4K', now: evening }));
      const error = await botErrorOf(
        store.createJob(newJob({ id: 'b-1', requesterKey: 'discord:bob', communityKey: 'discord:guild', resolution: '4K', now: evening })),
      );
      expect(error.code).toBe('quota_exceeded');
      expect(error.message).toBe(
        'This 4K image costs 2 credits and this server has 1 left of its daily cap of 3 credits '
          + '(2 credits are held by images still in progress). The server\'s cap resets at 00:00 UTC (in 3 h 12 min).',
      );
      // Bob's own day was opened and charged inside the refused transaction; both were rolled back.
      expect(await store.entries('discord:bob')).toEqual([]);
      expect(await store.balance('discord:bob', evening)).toMatchObject({ remaining: 10, reserved: 0 });
      // Another community, or one cheap image, still fits.
      await store.createJob(newJob({ id: 'b-2', requesterKey: 'discord:bob', communityKey: 'discord:other', resolution: '4K', now: evening }));
      await store.createJob(newJob({ id: 'b-3', requesterKey: 'discord:bob', communityKey: 'discord:guild', resolution: '1K', now: evening }));
      // A refund gives the cap back too.
      await store.markFailed(await leaseOf(store, 'a-1', evening), failure, evening);
      await store.createJob(newJob({ id: 'b-4', requesterKey: 'discord:bob', communityKey: 'discord:guild', resolution: '4K', now: evening }));

      const slack = await botErrorOf(
        store.createJob(newJob({ id: 's-1', requesterKey: 'slack:U1', communityKey: 'slack:T1', resolution: '4K', cost: 4, now: evening })),
      );
      expect(slack.message).toBe(
        'This 4K image costs 4 credits and this workspace has 3 left of its daily cap of 3 credits. '
          + 'The workspace\'s cap resets at 00:00 UTC (in 3 h 12 min).',
      );
      await expectBalanced(store);
    });

    it('lets admins past every limit while still writing the job and its ledger rows', async () => {
      const { store } = await open({ dailyCredits: 0, communityDailyCredits: 0 });
      expect((await botErrorOf(store.createJob(newJob({ id: 'user', now: evening })))).message)
        .toMatch(/^This 1K image costs 1 credit and you have none left today\./);
      const admin = { requesterKey: 'discord:admin', communityKey: 'discord:guild', unlimited: true, now: evening };
      for (let index = 0; index < 5; index++) await store.createJob(newJob({ ...admin, id: `admin-${index}`, resolution: '4K' }));
      expect((await store.get('admin-0'))?.cost).toBe(0);
      const lease = await leaseOf(store, 'admin-0', evening);
      await store.markSucceeded(lease, { url: 'https://x.example/a.png' }, evening);
      await store.markDelivered(lease, 'message', evening);
      expect(await store.balance('discord:admin', evening)).toEqual({
        remaining: Number.POSITIVE_INFINITY,
        reserved: 0,
        dailyCredits: 0,
        resetsAt: at('2026-11-22T00:00:00Z'),
        unlimited: true,
      });
      expect((await store.entries('discord:admin')).filter((entry) => entry.kind === 'reserve')).toHaveLength(5);
      expect((await store.entries('discord:admin')).filter((entry) => entry.kind === 'commit')).toHaveLength(1);
      await expectBalanced(store);
    });

    it('starts every UTC day with the allowance and refunds after midnight to the reservation’s day', async () => {
      const { store } = await open({ dailyCredits: 4 });
      const beforeMidnight = at('2026-11-21T23:59:30Z');
      const afterMidnight = at('2026-11-22T00:00:30Z');
      await store.createJob(newJob({ id: 'late', resolution: '4K', now: beforeMidnight }));
      await store.createJob(newJob({ id: 'later', resolution: '1K', now: beforeMidnight }));
      expect(await store.balance('discord:alice', beforeMidnight)).toMatchObject({ remaining: 1, reserved: 3, resetsAt: at('2026-11-22T00:00:00Z') });

      const nextDay = await store.balance('discord:alice', afterMidnight);
      expect(nextDay).toMatchObject({ remaining: 4, reserved: 3, resetsAt: at('2026-11-23T00:00:00Z') });
      await store.createJob(newJob({ id: 'morning', resolution: '4K', now: afterMidnight }));
      expect((await store.get('morning'))?.quotaDay).toBe('2026-11-22');

      const late = await leaseOf(store, 'late', afterMidnight);
      expect(await store.markFailed(late, { code: 'provider_timeout', message: 'x', retryable: true }, afterMidnight)).toEqual({ refunded: 2 });
      const later = await leaseOf(store, 'later', afterMidnight);
      await store.markSucceeded(later, { url: 'https://x.example/a.png' }, afterMidnight);
      await store.markDelivered(later, 'message', afterMidnight);
      // Today's credits are untouched by yesterday's settlements.
      expect(await store.balance('discord:alice', afterMidnight)).toMatchObject({ remaining: 2, reserved: 2 });
      expect(await store.balance('discord:alice', beforeMidnight)).toMatchObject({ remaining: 3 });
      const settlements = (await store.entries('discord:alice')).filter((entry) => entry.kind === 'refund' || entry.kind === 'commit');
      expect(settlements.map((entry) => [entry.kind, entry.jobId, entry.quotaDay, entry.createdAt])).toEqual([
        ['commit', 'later', '2026-11-21', afterMidnight],
        ['refund', 'late', '2026-11-21', afterMidnight],
      ]);
      await expectBalanced(store);
    });

    it('grants credits for today and resets today to the allowance, keeping reservations', async () => {
      const { store } = await open({ dailyCredits: 5 });
      const now = at('2026-11-21T09:00:00Z');
      expect(await store.grant('discord:carol', 3, 'discord:admin', now)).toMatchObject({ remaining: 8, reserved: 0, unlimited: false });
      await store.createJob(newJob({ id: 'c-1', requesterKey: 'discord:carol', resolution: '4K', now }));
      expect(await store.reset('discord:carol', 'discord:admin', now)).toMatchObject({ remaining: 5, reserved: 2 });
      expect(await store.reset('discord:carol', 'cli:root', now)).toMatchObject({ remaining: 5, reserved: 2 });
      expect((await store.entries('discord:carol')).map((entry) => [entry.kind, entry.amount, entry.actorKey])).toEqual([
        ['reset', 0, 'cli:root'],
        ['reset', -1, 'discord:admin'],
        ['reserve', -2, 'discord:carol'],
        ['grant', 3, 'discord:admin'],
        ['reset', 5, 'system:daily-allowance'],
      ]);
      expect(await store.entries('discord:carol', 2)).toHaveLength(2);
      await store.markFailed(await leaseOf(store, 'c-1', now), failure, now);
      expect(await store.balance('discord:carol', now)).toMatchObject({ remaining: 7, reserved: 0 });
      expect((await botErrorOf(store.grant('discord:carol', 0, 'discord:admin', now))).code).toBe('invalid_request');
      expect((await botErrorOf(store.grant('discord:carol', 1.5, 'discord:admin', now))).code).toBe('invalid_request');
      await expectBalanced(store);
    });

    it('reads a balance without writing anything', async () => {
      const fixture = await open({ dailyCredits: 7 });
      expect(await fixture.store.balance('slack:U9', evening)).toEqual({
        remaining: 7,
        reserved: 0,
        dailyCredits: 7,
        resetsAt: at('2026-11-22T00:00:00Z'),
        unlimited: false,
      });
      expect(await fixture.countRows('quota_accounts')).toBe(0);
      expect(await fixture.countRows('quota_ledger')).toBe(0);
    });

    it('reserves and settles without a job through the standalone pair', async () => {
      const { store } = await open({ dailyCredits: 2 });
      const first = await store.reserveCredits({ requesterKey: 'cli:bench', cost: 1, unlimited: false, jobId: 'pair-1', now: evening });
      const second = await store.reserveCredits({ requesterKey: 'cli:bench', cost: 1, unlimited: false, jobId: 'pair-2', now: evening });
      const third = store.reserveCredits({ requesterKey: 'cli:bench', cost: 1, unlimited: false, jobId: 'pair-3', now: evening });
      expect((await botErrorOf(third)).code).toBe('quota_exceeded');
      await store.commitCredits(first, evening);
      await store.refundCredits(second, evening);
      expect(await store.balance('cli:bench', evening)).toMatchObject({ remaining: 1, reserved: 0 });
      await expect(store.commitCredits(first, evening)).rejects.toThrow(/not reserved/);
      await expectBalanced(store);
    });
  });
}
