// Contract: the accepting provider recorded with its task, attempts and spend in one step; refunds; slots per provider; spend reports kept past retention.
import { describe, expect, it } from 'vitest';
import type { Acceptance, ClaimRequest } from '../../src/core/job-store.ts';
import type { JobSpend } from '../../src/core/job-spend.ts';
import type { ProviderAttempt } from '../../src/core/provider-attempts.ts';
import type { BotStore } from '../../src/store/index.ts';
import { expectBotError, leaseOf, useFixtures, type OpenStoreFixture } from './store-contract.ts';
import { at, newJob, type JobOptions } from './store-fixtures.ts';

const noon = at('2026-11-21T12:00:00Z');
const nextDay = at('2026-11-22T09:30:00Z');

const refused: ProviderAttempt = {
  provider: 'xenodia', model: 'nano-banana-pro', outcome: 'not_accepted', code: 'provider_billing',
  reason: 'xenodia reports insufficient balance or credits (HTTP 402)', at: noon,
};

/** An acceptance by `provider` after xenodia refused, costing `spend`. */
function acceptance(provider: Acceptance['provider'], spend: JobSpend, taskId: string | null = `task-${provider}`): Acceptance {
  return {
    taskId,
    provider,
    model: 'nano-banana-pro',
    attempts: [refused, { provider, model: 'nano-banana-pro', outcome: 'accepted', at: noon + 1 }],
    spend,
  };
}

const credits = (amount: number): JobSpend => ({ amountMicros: amount * 1_000_000, unit: 'cr', source: 'reported' });
const priced = (amountMicros: number): JobSpend => ({ amountMicros, unit: '', source: 'price' });
const unknown: JobSpend = { amountMicros: null, unit: '', source: 'unknown' };

/** Creates the job and leases it (xenodia by default), returning its lease. */
async function leased(store: BotStore, options: JobOptions) {
  await store.createJob(newJob({ provider: 'xenodia', ...options }));
  return leaseOf(store, options.id, options.now ?? noon);
}

/** A job `provider` accepted at `now` for `spend`, marked submitted and then delivered or failed. */
async function accepted(store: BotStore, id: string, provider: Acceptance['provider'], spend: JobSpend, now: number, extra: Partial<JobOptions> = {}) {
  const lease = await leased(store, { id, now, ...extra });
  await store.markSubmitting(lease, now);
  await store.markAccepted(lease, acceptance(provider, spend), now);
  return lease;
}

/** The provider-and-spend tests, run against the store `openFixture` opens. */
export function describeProviderSpendContract(openFixture: OpenStoreFixture): void {
  describe('failover and spend', () => {
    const open = useFixtures(openFixture);

    it('switches the job to the provider that accepted it, with every attempt and its spend, so a takeover polls that provider', async () => {
      const fixture = await open({ dailyCredits: 20 });
      const { store } = fixture;
      const lease = await leased(store, { id: 'job-1' });
      await store.markSubmitting(lease, noon);
      await store.markAccepted(lease, acceptance('nbp-cloud', credits(20)), noon + 5);
      const job = await store.get('job-1');
      expect(job).toMatchObject({ state: 'submitted', provider: 'nbp-cloud', model: 'nano-banana-pro', taskId: 'task-nbp-cloud', submittedAt: noon + 5 });
      // The request as asked stays: it was for xenodia.
      expect(job?.request.provider).toBe('xenodia');
      expect(job?.attempts.map((attempt) => [attempt.provider, attempt.outcome, attempt.code])).toEqual([
        ['xenodia', 'not_accepted', 'provider_billing'],
        ['nbp-cloud', 'accepted', undefined],
      ]);
      expect(await store.spendOf('job-1')).toEqual({ amountMicros: 20_000_000, unit: 'cr', source: 'reported' });
      // Recording the same acceptance again (a retried write) changes nothing.
      await store.markAccepted(lease, acceptance('nbp-cloud', credits(99)), noon + 6);
      expect(await store.spendOf('job-1')).toEqual({ amountMicros: 20_000_000, unit: 'cr', source: 'reported' });

      // Another process takes the job over once the lease expired: it finds nbp-cloud's task.
      const other = await fixture.openAnother();
      const takeover: ClaimRequest = {
        owner: 'process-b', now: noon + 2 * 86_400_000, leaseMs: 30_000, maxPerUser: 5, providerLimit: () => 5, platforms: ['discord'], limit: 5,
      };
      const [taken] = (await other.claimJobs(takeover)).claimed;
      expect(taken).toMatchObject({ takenOver: true, job: { id: 'job-1', provider: 'nbp-cloud', taskId: 'task-nbp-cloud', state: 'submitted' } });
      // The old lease is fenced out of every failover write.
      await expectBotError(store.recordAttempts(lease, [refused], noon + 7), 'lease_lost');
      await expectBotError(store.refundSpend(lease, noon + 7), 'lease_lost');
    });

    it('moves the in-flight slot with the job: it counts for the accepting provider from then on', async () => {
      const { store } = await open({ dailyCredits: 20 });
      const lease = await leased(store, { id: 'job-1' });
      await store.markSubmitting(lease, noon);
      expect(await store.providerSlotsInUse('xenodia', noon)).toBe(1);
      expect(await store.providerSlotsInUse('nbp-cloud', noon)).toBe(0);
      await store.markAccepted(lease, acceptance('nbp-cloud', credits(20)), noon);
      expect(await store.providerSlotsInUse('xenodia', noon)).toBe(0);
      expect(await store.providerSlotsInUse('nbp-cloud', noon)).toBe(1);
    });

    it('records the attempts of a job no provider took, and leaves it without spend', async () => {
      const { store } = await open();
      const lease = await leased(store, { id: 'job-1' });
      await store.markSubmitting(lease, noon);
      const skipped: ProviderAttempt = { provider: 'nbp-net', outcome: 'skipped', code: 'cannot_serve', reason: 'no 4K on the free plan', at: noon };
      await store.recordAttempts(lease, [refused, skipped], noon + 1);
      await store.markFailed(lease, { code: 'provider_unavailable', message: 'No provider took the request', retryable: true }, noon + 2);
      expect((await store.get('job-1'))?.attempts).toEqual([refused, skipped]);
      expect(await store.spendOf('job-1')).toBeUndefined();
      expect(await store.refundSpend(lease, noon + 3)).toBeUndefined();
    });

    it('refunds a failed job’s spend to zero, and keeps spend rows after the job is purged', async () => {
      const { store } = await open();
      const lease = await accepted(store, 'job-1', 'nbp-cloud', credits(20), noon);
      expect(await store.refundSpend(lease, noon + 10)).toEqual({ amountMicros: 20_000_000, unit: 'cr', source: 'reported' });
      await store.markFailed(lease, { code: 'provider_failed', message: 'nbp-cloud could not generate the image', retryable: false }, noon + 11);
      expect(await store.spendOf('job-1')).toEqual({ amountMicros: 0, unit: 'cr', source: 'refunded' });
      expect(await store.purgeFinishedBefore(nextDay)).toBe(1);
      expect(await store.get('job-1')).toBeUndefined();
      expect(await store.spendReport({ by: 'provider' })).toEqual([
        { key: 'nbp-cloud', unit: 'cr', jobs: 1, knownJobs: 1, refundedJobs: 1, amountMicros: 0 },
      ]);
    });

    it('sums spend per provider, day, user and server within each unit, counts unknown costs apart, and honours since', async () => {
      const { store } = await open({ dailyCredits: 50 });
      await accepted(store, 'c-1', 'nbp-cloud', credits(20), noon, { requesterKey: 'discord:alice', communityKey: 'discord:guild-1' });
      await accepted(store, 'c-2', 'nbp-cloud', credits(5), nextDay, { requesterKey: 'slack:bob', communityKey: 'slack:T1' });
      await accepted(store, 'x-1', 'xenodia', priced(130_000), noon, { requesterKey: 'discord:alice', communityKey: 'discord:guild-1' });
      await accepted(store, 'x-2', 'xenodia', priced(240_000), nextDay, { requesterKey: 'discord:alice' });
      await accepted(store, 'n-1', 'nbp-net', unknown, nextDay, { requesterKey: 'slack:bob', communityKey: 'slack:T1' });

      expect(await store.spendReport({ by: 'provider' })).toEqual([
        { key: 'nbp-cloud', unit: 'cr', jobs: 2, knownJobs: 2, refundedJobs: 0, amountMicros: 25_000_000 },
        { key: 'nbp-net', unit: '', jobs: 1, knownJobs: 0, refundedJobs: 0, amountMicros: 0 },
        { key: 'xenodia', unit: '', jobs: 2, knownJobs: 2, refundedJobs: 0, amountMicros: 370_000 },
      ]);
      expect(await store.spendReport({ by: 'day' })).toEqual([
        { key: '2026-11-21', unit: '', jobs: 1, knownJobs: 1, refundedJobs: 0, amountMicros: 130_000 },
        { key: '2026-11-21', unit: 'cr', jobs: 1, knownJobs: 1, refundedJobs: 0, amountMicros: 20_000_000 },
        { key: '2026-11-22', unit: '', jobs: 2, knownJobs: 1, refundedJobs: 0, amountMicros: 240_000 },
        { key: '2026-11-22', unit: 'cr', jobs: 1, knownJobs: 1, refundedJobs: 0, amountMicros: 5_000_000 },
      ]);
      expect((await store.spendReport({ by: 'user' })).map((row) => [row.key, row.unit, row.jobs, row.amountMicros])).toEqual([
        ['discord:alice', '', 2, 370_000],
        ['discord:alice', 'cr', 1, 20_000_000],
        ['slack:bob', '', 1, 0],
        ['slack:bob', 'cr', 1, 5_000_000],
      ]);
      const byServer = await store.spendReport({ by: 'server' });
      expect(byServer.map((row) => [row.key, row.unit, row.jobs])).toEqual(
        // A job without a server (here a DM-like request) is reported under a null key; its place in the order is the database's.
        expect.arrayContaining([['discord:guild-1', '', 1], ['discord:guild-1', 'cr', 1], ['slack:T1', '', 1], ['slack:T1', 'cr', 1], [null, '', 1]]),
      );
      expect(byServer).toHaveLength(5);
      expect(await store.spendReport({ by: 'provider', since: at('2026-11-22T00:00:00Z') })).toEqual([
        { key: 'nbp-cloud', unit: 'cr', jobs: 1, knownJobs: 1, refundedJobs: 0, amountMicros: 5_000_000 },
        { key: 'nbp-net', unit: '', jobs: 1, knownJobs: 0, refundedJobs: 0, amountMicros: 0 },
        { key: 'xenodia', unit: '', jobs: 1, knownJobs: 1, refundedJobs: 0, amountMicros: 240_000 },
      ]);
    });
  });
}
