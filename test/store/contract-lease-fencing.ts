// Contract: expired leases are taken over with a new epoch; the old holder's writes are refused; renewal and release.
import { describe, expect, it } from 'vitest';
import type { ClaimRequest, ClaimedJob } from '../../src/core/job-store.ts';
import type { BotStore } from '../../src/store/index.ts';
import { expectBotError, useFixtures, type OpenStoreFixture } from './store-contract.ts';
import { at, newJob } from './store-fixtures.ts';

const start = at('2026-11-21T12:00:00Z');
const leaseMs = 30_000;
const failure = { code: 'provider_failed', message: 'The provider failed', retryable: true } as const;

function claim(owner: string, now: number, overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return { owner, now, leaseMs, maxPerUser: 5, providerLimit: () => 5, platforms: ['discord', 'slack', 'cli'], limit: 10, ...overrides };
}

/** Claims and returns the one job the pass must have claimed. */
async function claimOne(store: BotStore, request: ClaimRequest): Promise<ClaimedJob> {
  const { claimed } = await store.claimJobs(request);
  expect(claimed).toHaveLength(1);
  return claimed[0] as ClaimedJob;
}

/** The takeover and fencing tests, run against the store `openFixture` opens. */
export function describeLeaseFencingContract(openFixture: OpenStoreFixture): void {
  describe('leases and fencing', () => {
    const open = useFixtures(openFixture);

    it('takes over a job at the provider once its lease expired; the old holder can change nothing', async () => {
      const fixture = await open();
      const { store } = fixture;
      const other = await fixture.openAnother();
      await store.createJob(newJob({ id: 'job-1', now: start }));
      const first = await claimOne(store, claim('process-a', start));
      await store.markSubmitted(first.lease, 'task-1', start + 100);
      await store.markRunning(first.lease, 10, start + 200);

      expect((await other.claimJobs(claim('process-b', start + leaseMs - 1))).claimed).toEqual([]);
      const taken = await claimOne(other, claim('process-b', start + leaseMs));
      expect(taken.takenOver).toBe(true);
      expect(taken.lease).toEqual({ jobId: 'job-1', owner: 'process-b', epoch: 2 });
      expect(taken.job).toMatchObject({ state: 'running', taskId: 'task-1', progress: 10 });

      const ledgerBefore = await store.entries('discord:alice');
      const jobBefore = await store.get('job-1');
      await expectBotError(store.markRunning(first.lease, 50, start + leaseMs + 1), 'lease_lost');
      await expectBotError(store.markSucceeded(first.lease, { url: 'https://x.example/stale.png' }, start + leaseMs + 2), 'lease_lost');
      await expectBotError(store.markFailed(first.lease, failure, start + leaseMs + 3), 'lease_lost');
      await expectBotError(store.markSubmitted(first.lease, 'task-1', start + leaseMs + 4), 'lease_lost');
      await expectBotError(store.markDelivered(first.lease, 'message-stale', start + leaseMs + 5), 'lease_lost');
      expect(await store.get('job-1')).toEqual(jobBefore);
      expect(await store.entries('discord:alice')).toEqual(ledgerBefore);

      await other.markRunning(taken.lease, 60, start + leaseMs + 10);
      await other.markSucceeded(taken.lease, { url: 'https://x.example/done.png' }, start + leaseMs + 20);
      await other.markDelivered(taken.lease, 'message-1', start + leaseMs + 30);
      expect(await other.get('job-1')).toMatchObject({ state: 'delivered', deliveredMessageId: 'message-1', progress: 60 });
    });

    it('takes over a job finished but not delivered, and the old holder can neither deliver nor refund it', async () => {
      const fixture = await open();
      const { store } = fixture;
      await store.createJob(newJob({ id: 'job-1', now: start }));
      const first = await claimOne(store, claim('process-a', start));
      await store.markSucceeded(first.lease, { url: 'https://x.example/r.png' }, start + 100);
      const taken = await claimOne(store, claim('process-b', start + leaseMs + 100));
      expect(taken).toMatchObject({ takenOver: true, lease: { epoch: 2 }, job: { state: 'succeeded' } });
      await expectBotError(store.markDelivered(first.lease, 'message-stale', start + leaseMs + 200), 'lease_lost');
      await expectBotError(store.markFailed(first.lease, failure, start + leaseMs + 200), 'lease_lost');
      expect((await store.entries('discord:alice')).map((entry) => entry.kind)).toEqual(['reserve', 'reset']);
      expect(await store.balance('discord:alice', start)).toMatchObject({ remaining: 4, reserved: 1 });
      await store.markDelivered(taken.lease, 'message-1', start + leaseMs + 300);
      expect((await store.entries('discord:alice')).map((entry) => entry.kind)).toEqual(['commit', 'reserve', 'reset']);
    });

    it('takes over a create call of unknown outcome instead of admitting it again, whatever the caps', async () => {
      const { store } = await open();
      await store.createJob(newJob({ id: 'sent', now: start }));
      await store.createJob(newJob({ id: 'next', now: start + 1 }));
      const oneAtATime = { maxPerUser: 1 };
      const first = await claimOne(store, claim('process-a', start, oneAtATime));
      await store.markSubmitting(first.lease, start + 100);
      // While the lease lasts, the marked job holds its user's slot and is not in line.
      const during = await store.claimJobs(claim('process-b', start + 200, oneAtATime));
      expect(during.claimed).toEqual([]);
      expect([...during.positions.keys()]).toEqual(['next']);
      const taken = await claimOne(store, claim('process-b', start + leaseMs + 1, oneAtATime));
      expect(taken).toMatchObject({ takenOver: true, lease: { jobId: 'sent', epoch: 2 }, job: { state: 'queued', submitStartedAt: start + 100 } });
      // Its slot stays held after the takeover too: the same user's next job still waits.
      expect((await store.claimJobs(claim('process-c', start + leaseMs + 2, oneAtATime))).claimed).toEqual([]);
      expect(await store.markFailed(taken.lease, failure, start + leaseMs + 3)).toEqual({ refunded: 1 });
      await expectBotError(store.markSubmitted(first.lease, 'task-late', start + leaseMs + 4), 'lease_lost');
    });

    it('lets a queued job whose holder stopped before submitting wait again, and marks it taken over when admitted', async () => {
      const { store } = await open();
      await store.createJob(newJob({ id: 'job-1', now: start }));
      const first = await claimOne(store, claim('process-a', start));
      const again = await claimOne(store, claim('process-b', start + leaseMs));
      expect(again).toMatchObject({ takenOver: true, lease: { jobId: 'job-1', owner: 'process-b', epoch: 2 }, job: { state: 'queued' } });
      await expectBotError(store.markSubmitting(first.lease, start + leaseMs + 1), 'lease_lost');
      expect((await store.get('job-1'))?.submitStartedAt).toBeNull();
    });

    it('renews only leases still held, and a renewed lease is not taken over', async () => {
      const fixture = await open();
      const { store } = fixture;
      const other = await fixture.openAnother();
      await store.createJob(newJob({ id: 'job-1', now: start }));
      const first = await claimOne(store, claim('process-a', start));
      await store.markSubmitted(first.lease, 'task-1', start + 10);
      expect(await store.renewLeases('process-a', [first.lease], start + 20_000, leaseMs)).toEqual(new Set(['job-1']));
      expect((await other.claimJobs(claim('process-b', start + leaseMs + 1))).claimed).toEqual([]);
      expect(await store.renewLeases('process-b', [first.lease], start + 20_001, leaseMs)).toEqual(new Set());

      const taken = await claimOne(other, claim('process-b', start + 20_000 + leaseMs));
      expect(taken.lease.epoch).toBe(2);
      expect(await store.renewLeases('process-a', [first.lease], start + 55_000, leaseMs)).toEqual(new Set());
      expect(await other.renewLeases('process-b', [taken.lease], start + 55_000, leaseMs)).toEqual(new Set(['job-1']));
      expect(await store.renewLeases('process-a', [], start + 55_000, leaseMs)).toEqual(new Set());
    });

    it('makes a released job claimable at once, with a new epoch', async () => {
      const fixture = await open();
      const { store } = fixture;
      const other = await fixture.openAnother();
      await store.createJob(newJob({ id: 'queued-job', now: start }));
      await store.createJob(newJob({ id: 'submitted-job', now: start + 1 }));
      const { claimed } = await store.claimJobs(claim('process-a', start + 2));
      const [queued, submitted] = claimed;
      if (queued === undefined || submitted === undefined) throw new Error('both jobs should have been claimed');
      await store.markSubmitted(submitted.lease, 'task-2', start + 3);
      // A stale release (wrong epoch) changes nothing.
      await store.releaseLeases([{ ...queued.lease, epoch: 7 }], start + 4);
      expect((await other.claimJobs(claim('process-b', start + 5))).claimed).toEqual([]);

      await store.releaseLeases([queued.lease, submitted.lease], start + 6);
      const resumed = await other.claimJobs(claim('process-b', start + 6));
      expect(resumed.claimed.map((entry) => [entry.job.id, entry.lease.epoch, entry.takenOver])).toEqual([
        ['submitted-job', 2, true],
        ['queued-job', 2, true],
      ]);
      await expectBotError(store.markRunning(submitted.lease, 5, start + 7), 'lease_lost');
      expect(await store.renewLeases('process-a', [queued.lease, submitted.lease], start + 8, leaseMs)).toEqual(new Set());
    });

    it('takes over only the platforms the process serves', async () => {
      const { store } = await open();
      await store.createJob(newJob({ id: 'slack-job', requesterKey: 'slack:U1', now: start }));
      await store.createJob(newJob({ id: 'discord-job', requesterKey: 'discord:alice', now: start + 1 }));
      for (const entry of (await store.claimJobs(claim('process-a', start + 2))).claimed) {
        await store.markSubmitted(entry.lease, `task-${entry.job.id}`, start + 3);
      }
      const later = start + leaseMs + 10;
      const discord = await store.claimJobs(claim('process-b', later, { platforms: ['discord'] }));
      expect(discord.claimed.map((entry) => entry.job.id)).toEqual(['discord-job']);
      const slack = await store.claimJobs(claim('process-c', later, { platforms: ['slack'], limit: 1 }));
      expect(slack.claimed.map((entry) => [entry.job.id, entry.takenOver])).toEqual([['slack-job', true]]);
    });

    it('counts takeovers and admissions against one limit, takeovers first', async () => {
      const { store } = await open({ dailyCredits: 20 });
      for (const [index, id] of ['old-1', 'old-2', 'new-1', 'new-2'].entries()) {
        await store.createJob(newJob({ id, requesterKey: `discord:user-${index}`, now: start + index }));
      }
      const { claimed } = await store.claimJobs(claim('process-a', start + 10, { limit: 2 }));
      for (const entry of claimed) await store.markSubmitted(entry.lease, `task-${entry.job.id}`, start + 11);
      const pass = await store.claimJobs(claim('process-b', start + leaseMs + 20, { limit: 3 }));
      expect(pass.claimed.map((entry) => [entry.job.id, entry.takenOver])).toEqual([['old-1', true], ['old-2', true], ['new-1', false]]);
    });
  });
}
