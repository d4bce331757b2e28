// Contract: claim passes admit waiting jobs in FIFO order under caps counted over every store, and record places in line.
import { describe, expect, it } from 'vitest';
import type { ClaimRequest } from '../../src/core/job-store.ts';
import type { ProviderId } from '../../src/core/request.ts';
import type { BotStore } from '../../src/store/index.ts';
import { useFixtures, type OpenStoreFixture } from './store-contract.ts';
import { at, newJob, type JobOptions } from './store-fixtures.ts';

const start = at('2026-11-21T12:00:00Z');
const leaseMs = 30_000;

/** A claim pass as one process makes it: two jobs per user, three per provider except one for `xenodia`. */
function claim(owner: string, now: number, overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return {
    owner,
    now,
    leaseMs,
    maxPerUser: 2,
    providerLimit: (provider: ProviderId) => (provider === 'xenodia' ? 1 : 3),
    platforms: ['discord', 'slack', 'cli'],
    limit: 10,
    ...overrides,
  };
}

/** Creates the jobs one millisecond apart, in the order given. */
async function createInOrder(store: BotStore, jobs: ReadonlyArray<Omit<JobOptions, 'now'>>): Promise<void> {
  for (const [index, job] of jobs.entries()) await store.createJob(newJob({ ...job, now: start + index }));
}

const idsOf = (outcome: { claimed: Array<{ job: { id: string } }> }) => outcome.claimed.map((entry) => entry.job.id);

/** The claim tests, run against the store `openFixture` opens. */
export function describeLeaseContract(openFixture: OpenStoreFixture): void {
  describe('claim passes', () => {
    const open = useFixtures(openFixture);

    it('admits waiting jobs oldest first while the user and the provider are under their limits', async () => {
      const fixture = await open({ dailyCredits: 20 });
      const { store } = fixture;
      await createInOrder(store, [
        { id: 'a-1', requesterKey: 'discord:alice' },
        { id: 'a-2', requesterKey: 'discord:alice' },
        { id: 'a-3', requesterKey: 'discord:alice' },
        { id: 'b-1', requesterKey: 'slack:bob' },
        { id: 'c-1', requesterKey: 'discord:carol' },
        { id: 'd-1', requesterKey: 'discord:dave', provider: 'xenodia' },
        { id: 'd-2', requesterKey: 'discord:dave', provider: 'xenodia' },
      ]);
      const first = await store.claimJobs(claim('process-a', start + 100));
      expect(idsOf(first)).toEqual(['a-1', 'a-2', 'b-1', 'd-1']);
      for (const entry of first.claimed) {
        expect(entry.takenOver).toBe(false);
        expect(entry.lease).toEqual({ jobId: entry.job.id, owner: 'process-a', epoch: 1 });
        expect(entry.job.state).toBe('queued');
      }
      // a-3 waits behind its user's own jobs; c-1 behind the provider's line (a-3 is in it too); d-2 behind d-1's provider.
      expect(first.positions).toEqual(new Map([
        ['a-3', { position: 1, reason: 'user_limit' }],
        ['c-1', { position: 2, reason: 'provider_limit' }],
        ['d-2', { position: 1, reason: 'provider_limit' }],
      ]));
      expect(first.moved).toEqual([]);

      // The caps are counted over every process: another store finds every slot taken.
      const other = await fixture.openAnother();
      const second = await other.claimJobs(claim('process-b', start + 200));
      expect(second.claimed).toEqual([]);
      expect(second.positions).toEqual(first.positions);
      expect(second.moved).toEqual([]);
    });

    it('claims no more than the limit in one pass, and the next pass continues the line', async () => {
      const { store } = await open({ dailyCredits: 20 });
      await createInOrder(store, ['j-1', 'j-2', 'j-3', 'j-4'].map((id, index) => ({ id, requesterKey: `discord:user-${index}` })));
      expect(idsOf(await store.claimJobs(claim('process-a', start + 100, { limit: 2 })))).toEqual(['j-1', 'j-2']);
      expect(idsOf(await store.claimJobs(claim('process-a', start + 100, { limit: 2 })))).toEqual(['j-3']);
      expect(idsOf(await store.claimJobs(claim('process-a', start + 100, { limit: 0 })))).toEqual([]);
    });

    it('orders jobs created in the same millisecond by when they were written', async () => {
      const { store } = await open({ dailyCredits: 20 });
      for (const id of ['z', 'y', 'x', 'w']) await store.createJob(newJob({ id, requesterKey: `discord:${id}`, now: start }));
      expect(idsOf(await store.claimJobs(claim('process-a', start, { limit: 3 })))).toEqual(['z', 'y', 'x']);
    });

    it('reports a changed place once, from the pass that changed it', async () => {
      const fixture = await open({ dailyCredits: 20 });
      const { store } = fixture;
      const other = await fixture.openAnother();
      await createInOrder(store, [{ id: 'a-1' }, { id: 'a-2' }, { id: 'a-3' }]);
      const oneAtATime = { maxPerUser: 1 };
      const first = await store.claimJobs(claim('process-a', start + 10, oneAtATime));
      expect(idsOf(first)).toEqual(['a-1']);
      expect(first.positions).toEqual(new Map([['a-2', { position: 1, reason: 'user_limit' }], ['a-3', { position: 2, reason: 'user_limit' }]]));
      expect(first.moved).toEqual([]);
      expect((await other.claimJobs(claim('process-b', start + 20, oneAtATime))).moved).toEqual([]);

      const lease = first.claimed[0]?.lease;
      if (lease === undefined) throw new Error('a-1 was not claimed');
      await store.markFailed(lease, { code: 'cancelled', message: 'Cancelled', retryable: false }, start + 30);
      const third = await other.claimJobs(claim('process-b', start + 40, oneAtATime));
      expect(idsOf(third)).toEqual(['a-2']);
      expect(third.positions).toEqual(new Map([['a-3', { position: 1, reason: 'user_limit' }]]));
      expect(third.moved).toEqual([{ jobId: 'a-3', position: { position: 1, reason: 'user_limit' } }]);
      const fourth = await store.claimJobs(claim('process-a', start + 50, oneAtATime));
      expect(fourth.moved).toEqual([]);
      expect(fourth.positions).toEqual(third.positions);
    });

    it('admits only jobs of the platforms the process serves, while every waiting job keeps its place', async () => {
      const { store } = await open({ dailyCredits: 20 });
      await createInOrder(store, [
        { id: 'slack-1', requesterKey: 'slack:U1' },
        { id: 'discord-1', requesterKey: 'discord:alice' },
        { id: 'cli-1', requesterKey: 'cli:root' },
      ]);
      const discordOnly = await store.claimJobs(claim('discord-process', start + 10, { platforms: ['discord'] }));
      expect(idsOf(discordOnly)).toEqual(['discord-1']);
      expect([...discordOnly.positions.keys()].sort()).toEqual(['cli-1', 'slack-1']);
      expect(idsOf(await store.claimJobs(claim('slack-process', start + 20, { platforms: ['slack'] })))).toEqual(['slack-1']);
      expect(idsOf(await store.claimJobs(claim('cli-process', start + 30, { platforms: ['cli', 'slack'] })))).toEqual(['cli-1']);
    });

    it('counts jobs finished but not delivered against their user, not against their provider', async () => {
      const { store } = await open({ dailyCredits: 20 });
      await createInOrder(store, [{ id: 'a-1' }, { id: 'a-2' }, { id: 'a-3' }, { id: 'b-1', requesterKey: 'slack:bob' }]);
      const strict = { maxPerUser: 1, providerLimit: () => 1 };
      const first = await store.claimJobs(claim('process-a', start + 10, strict));
      expect(idsOf(first)).toEqual(['a-1']);
      const lease = first.claimed[0]?.lease;
      if (lease === undefined) throw new Error('a-1 was not claimed');
      await store.markSucceeded(lease, { url: 'https://provider.example/a-1.png' }, start + 20);
      // The provider slot is free, the user's is not: bob's job goes ahead of alice's next one.
      expect(idsOf(await store.claimJobs(claim('process-a', start + 30, strict)))).toEqual(['b-1']);
    });
  });
}
