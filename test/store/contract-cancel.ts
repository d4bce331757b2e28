// Contract: cancelling ends a job at once with a refund and fences its holder out; other states are left alone; every store sees the cancel.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BotError } from '../../src/core/errors.ts';
import type { ClaimRequest, JobLease } from '../../src/core/job-store.ts';
import type { BotStore } from '../../src/store/index.ts';
import { waitFor } from '../support/wait-for.ts';
import { expectBalanced, expectBotError, useFixtures, type OpenStoreFixture } from './store-contract.ts';
import { at, newJob } from './store-fixtures.ts';

const start = at('2026-11-21T12:00:00Z');
const leaseMs = 30_000;
const guild = 'discord:guild-1';
const failure = { code: 'provider_failed', message: 'The provider failed', retryable: true } as const;
const cancelled = { code: 'cancelled', message: 'Cancelled by discord:mod', retryable: false };

function claim(owner: string, now: number): ClaimRequest {
  return { owner, now, leaseMs, maxPerUser: 5, providerLimit: () => 5, platforms: ['discord', 'slack', 'cli'], limit: 10 };
}

/** The lease `owner` takes on `jobId` (the only claimable job). */
async function claimOnly(store: BotStore, jobId: string, owner: string, now: number): Promise<JobLease> {
  const { claimed } = await store.claimJobs(claim(owner, now));
  expect(claimed.map((entry) => entry.job.id)).toEqual([jobId]);
  return (claimed[0] as { lease: JobLease }).lease;
}

/** The cancellation tests, run against the store `openFixture` opens. */
export function describeCancelContract(openFixture: OpenStoreFixture): void {
  describe('cancelling jobs', () => {
    const open = useFixtures(openFixture);

    it('fails a queued job with code cancelled and refunds the user and the community cap, once', async () => {
      const fixture = await open({ dailyCredits: 5, communityDailyCredits: 10 });
      const { store } = fixture;
      await store.createJob(newJob({ id: 'job-1', communityKey: guild, resolution: '4K', now: start }));
      expect(await store.balance('discord:alice', start)).toMatchObject({ remaining: 3, reserved: 2 });

      const outcome = await store.cancelJob('job-1', 'discord:mod', start + 1_000);
      expect(outcome).toMatchObject({
        kind: 'cancelled', refunded: 2,
        job: { id: 'job-1', state: 'failed', error: cancelled, result: null, finishedAt: start + 1_000, updatedAt: start + 1_000 },
      });
      expect(outcome.kind === 'cancelled' && outcome.job).toEqual(await store.get('job-1'));
      expect(await store.balance('discord:alice', start)).toMatchObject({ remaining: 5, reserved: 0 });
      const [refund] = await store.entries('discord:alice', 1);
      expect(refund).toMatchObject({ kind: 'refund', amount: 2, reservedChange: -2, jobId: 'job-1', quotaDay: '2026-11-21', createdAt: start + 1_000 });
      const community = (await store.auditAccounts()).find((audit) => audit.scope === 'community');
      expect(community).toMatchObject({ accountKey: guild, available: 10, reserved: 0 });
      await expectBalanced(store);
      expect(await fixture.countRows('job_cancels')).toBe(1);

      // A second cancel finds it finished and changes nothing.
      const ledger = await store.entries('discord:alice');
      expect(await store.cancelJob('job-1', 'discord:mod', start + 2_000)).toEqual({ kind: 'finished', job: await store.get('job-1') });
      expect(await store.entries('discord:alice')).toEqual(ledger);
      expect(await fixture.countRows('job_cancels')).toBe(1);
    });

    it('fences the holder of a running job out: its writes fail with lease_lost and its renewal drops the job', async () => {
      const fixture = await open();
      const { store } = fixture;
      const other = await fixture.openAnother();
      await store.createJob(newJob({ id: 'job-1', now: start }));
      const lease = await claimOnly(store, 'job-1', 'process-a', start);
      await store.markSubmitted(lease, 'task-1', start + 10);
      await store.markRunning(lease, 40, start + 20);
      expect(await store.renewLeases('process-a', [lease], start + 30, leaseMs)).toEqual(new Set(['job-1']));

      expect(await other.cancelJob('job-1', 'discord:mod', start + 100)).toMatchObject({ kind: 'cancelled', refunded: 1 });
      const job = await store.get('job-1');
      const ledger = await store.entries('discord:alice');
      expect(await store.renewLeases('process-a', [lease], start + 200, leaseMs)).toEqual(new Set());
      await expectBotError(store.markRunning(lease, 80, start + 210), 'lease_lost');
      await expectBotError(store.markSucceeded(lease, { url: 'https://provider.example/late.png', data: new Uint8Array([1, 2]) }, start + 220), 'lease_lost');
      await expectBotError(store.markDelivered(lease, 'message-late', start + 230, { data: new Uint8Array([1, 2]), mimeType: 'image/png' }), 'lease_lost');
      await expectBotError(store.markFailed(lease, failure, start + 240), 'lease_lost');
      await store.releaseLeases([lease], start + 250);
      expect(await store.get('job-1')).toEqual(job);
      expect(await store.entries('discord:alice')).toEqual(ledger);
      expect(await store.keptImage('job-1')).toBeUndefined();
      // Nobody takes it over, now or once the old lease would have expired.
      expect((await other.claimJobs(claim('process-b', start + leaseMs * 10))).claimed).toEqual([]);
      expect(await store.balance('discord:alice', start)).toMatchObject({ remaining: 5, reserved: 0 });
      await expectBalanced(store);
    });

    it('leaves succeeded, delivered and failed jobs as they are, and knows no unknown job', async () => {
      const fixture = await open();
      const { store } = fixture;
      for (const id of ['succeeded', 'delivered', 'failed']) await store.createJob(newJob({ id, now: start }));
      const { claimed } = await store.claimJobs(claim('process-a', start));
      const leases = new Map(claimed.map((entry) => [entry.job.id, entry.lease]));
      const leaseFor = (id: string) => leases.get(id) as JobLease;
      await store.markSucceeded(leaseFor('succeeded'), { url: 'https://provider.example/s.png' }, start + 10);
      await store.markSucceeded(leaseFor('delivered'), { url: 'https://provider.example/d.png' }, start + 10);
      await store.markDelivered(leaseFor('delivered'), 'message-1', start + 20);
      await store.markFailed(leaseFor('failed'), failure, start + 30);
      const ledger = await store.entries('discord:alice');

      for (const id of ['succeeded', 'delivered', 'failed']) {
        const before = await store.get(id);
        expect(await store.cancelJob(id, 'discord:mod', start + 100)).toEqual({ kind: 'finished', job: before });
        expect(await store.get(id)).toEqual(before);
      }
      expect(await store.cancelJob('no-such-job', 'discord:mod', start + 100)).toEqual({ kind: 'unknown' });
      expect(await store.entries('discord:alice')).toEqual(ledger);
      expect(await fixture.countRows('job_cancels')).toBe(0);
      // The image being posted is still the holder's to deliver.
      await store.markDelivered(leaseFor('succeeded'), 'message-2', start + 200);
      expect(await store.get('succeeded')).toMatchObject({ state: 'delivered', deliveredMessageId: 'message-2' });
      await expectBalanced(store);
    });

    it('refunds after midnight to the day the job reserved from', async () => {
      const { store } = await open({ dailyCredits: 4 });
      const beforeMidnight = at('2026-11-21T23:59:00Z');
      const afterMidnight = at('2026-11-22T00:01:00Z');
      await store.createJob(newJob({ id: 'late', resolution: '4K', now: beforeMidnight }));
      await store.createJob(newJob({ id: 'morning', resolution: '1K', now: afterMidnight }));
      await store.cancelJob('late', 'discord:mod', afterMidnight);
      expect(await store.balance('discord:alice', beforeMidnight)).toMatchObject({ remaining: 4 });
      expect(await store.balance('discord:alice', afterMidnight)).toMatchObject({ remaining: 3, reserved: 1 });
      expect((await store.entries('discord:alice', 1))[0]).toMatchObject({ kind: 'refund', jobId: 'late', quotaDay: '2026-11-21' });
      await expectBalanced(store);
    });

    it('refunds once when a cancel races the holder’s own failure', async () => {
      const fixture = await open();
      const { store } = fixture;
      const other = await fixture.openAnother();
      for (let index = 0; index < 5; index++) await store.createJob(newJob({ id: `job-${index}`, now: start }));
      const { claimed } = await store.claimJobs(claim('process-a', start));
      const outcomes = await Promise.all(claimed.map(async ({ lease }) => {
        const [cancel, failed] = await Promise.all([
          other.cancelJob(lease.jobId, 'discord:mod', start + 100),
          store.markFailed(lease, failure, start + 100).catch((error: unknown) => error),
        ]);
        // Exactly one of them ended the job: the other found it failed or its lease gone.
        if (cancel.kind === 'cancelled') expect(failed instanceof BotError && failed.code).toBe('lease_lost');
        else expect(failed).toEqual({ refunded: 1 });
        return cancel.kind;
      }));
      expect(outcomes).toHaveLength(5);
      expect((await store.entries('discord:alice')).filter((entry) => entry.kind === 'refund')).toHaveLength(5);
      expect(await store.balance('discord:alice', start)).toMatchObject({ remaining: 5, reserved: 0 });
      expect(await fixture.countRows('job_cancels')).toBe(outcomes.filter((kind) => kind === 'cancelled').length);
      await expectBalanced(store);
    });

    it('tells every store’s watchers of cancels made after they subscribed, until they unsubscribe', { timeout: 20_000 }, async () => {
      const fixture = await open();
      const { store } = fixture;
      const other = await fixture.openAnother();
      for (const id of ['early', 'job-1', 'job-2']) await store.createJob(newJob({ id, now: start }));
      await store.cancelJob('early', 'discord:mod', start + 1);

      const seenHere: string[] = [];
      const seenThere: string[] = [];
      const stopHere = store.watchForCancels((ids) => seenHere.push(...ids));
      const stopThere = other.watchForCancels((ids) => seenThere.push(...ids));
      // A watcher reads where the cancels stand as it subscribes; on PostgreSQL that read is asynchronous.
      await sleep(200);
      await store.cancelJob('job-1', 'discord:mod', start + 2);
      await waitFor(() => seenHere.includes('job-1') && seenThere.includes('job-1'), 'both watchers to see the cancel', 5_000);
      expect(seenThere).toEqual(['job-1']);
      expect(seenHere).toEqual(['job-1']);

      stopThere();
      // A cancel that finds the job finished is not announced.
      await store.cancelJob('job-1', 'discord:mod', start + 3);
      await other.cancelJob('job-2', 'discord:mod', start + 4);
      await waitFor(() => seenHere.includes('job-2'), 'the remaining watcher to see the second cancel', 5_000);
      await sleep(700);
      expect(seenHere).toEqual(['job-1', 'job-2']);
      expect(seenThere).toEqual(['job-1']);
      stopHere();
    });

    it('stops a store’s watchers when the store is closed', { timeout: 20_000 }, async () => {
      const fixture = await open();
      const closing = await fixture.openAnother();
      const seen: string[] = [];
      closing.watchForCancels((ids) => seen.push(...ids));
      closing.watchForCancels((ids) => seen.push(...ids));
      await fixture.store.createJob(newJob({ id: 'job-1', now: start }));
      await sleep(200);
      await closing.close();
      await fixture.store.cancelJob('job-1', 'discord:mod', start + 1);
      await sleep(1_200);
      expect(seen).toEqual([]);
    });

    it('clears cancels older than an hour as later ones are made', async () => {
      const fixture = await open();
      const { store } = fixture;
      for (const id of ['job-1', 'job-2', 'job-3']) await store.createJob(newJob({ id, now: start }));
      await store.cancelJob('job-1', 'discord:mod', start);
      await store.cancelJob('job-2', 'discord:mod', start + 30 * 60_000);
      expect(await fixture.countRows('job_cancels')).toBe(2);
      await store.cancelJob('job-3', 'discord:mod', start + 61 * 60_000);
      expect(await fixture.countRows('job_cancels')).toBe(2);
    });
  });
}
