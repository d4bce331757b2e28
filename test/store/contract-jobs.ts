// Contract: creating jobs with dedupe, the state machine with its settlements, stored bytes, lists and retention.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { expectBalanced, expectBotError, leaseOf, useFixtures, type OpenStoreFixture } from './store-contract.ts';
import { at, newJob } from './store-fixtures.ts';

const noon = at('2026-11-21T12:00:00Z');
const failure = { code: 'provider_failed', message: 'The provider failed', retryable: true } as const;

/** The job tests, run against the store `openFixture` opens. */
export function describeJobContract(openFixture: OpenStoreFixture): void {
  describe('jobs', () => {
    const open = useFixtures(openFixture);

    it('creates a queued job, charges it once and reads it back as written', async () => {
      const { store } = await open();
      const created = await store.createJob(newJob({ id: 'job-1', resolution: '4K', communityKey: 'discord:guild' }));
      expect(created.duplicate).toBe(false);
      expect(created.job).toMatchObject({ id: 'job-1', state: 'queued', cost: 2, quotaDay: '2026-11-21', taskId: null, submitStartedAt: null });
      expect(await store.get('job-1')).toEqual(created.job);
      expect(await store.balance('discord:alice', noon)).toMatchObject({ remaining: 3, reserved: 2, dailyCredits: 5 });
      expect((await store.entries('discord:alice')).map((entry) => [entry.kind, entry.amount, entry.jobId])).toEqual([
        ['reserve', -2, 'job-1'],
        ['reset', 5, null],
      ]);
      await expectBalanced(store);
    });

    it('returns the existing job for a repeated dedupe key and charges nothing more', async () => {
      const { store } = await open();
      const first = await store.createJob(newJob({ id: 'job-1', dedupeKey: 'interaction-7' }));
      const second = await store.createJob(newJob({ id: 'job-2', dedupeKey: 'interaction-7' }));
      expect(second.duplicate).toBe(true);
      expect(second.job.id).toBe('job-1');
      expect(second.job).toEqual(first.job);
      expect(await store.get('job-2')).toBeUndefined();
      expect((await store.getByDedupeKey('interaction-7'))?.id).toBe('job-1');
      expect((await store.entries('discord:alice')).filter((entry) => entry.kind === 'reserve')).toHaveLength(1);
      expect(await store.balance('discord:alice', noon)).toMatchObject({ remaining: 4, reserved: 1 });
    });

    it('creates one job when two stores race with the same dedupe key, and charges once', async () => {
      const fixture = await open({ dailyCredits: 50 });
      const other = await fixture.openAnother();
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, (_, index) =>
          (index % 2 === 0 ? fixture.store : other).createJob(newJob({ id: `racer-${index}`, dedupeKey: 'event-raced' }))),
      );
      const created = outcomes.filter((outcome) => !outcome.duplicate);
      expect(created).toHaveLength(1);
      expect(new Set(outcomes.map((outcome) => outcome.job.id))).toEqual(new Set([created[0]?.job.id]));
      expect((await fixture.store.entries('discord:alice')).filter((entry) => entry.kind === 'reserve')).toHaveLength(1);
      expect(await fixture.countRows('jobs')).toBe(1);
      await expectBalanced(fixture.store);
    });

    it('keeps reference bytes exactly, in order, as plain Uint8Arrays', async () => {
      const { store } = await open();
      const every = Uint8Array.from({ length: 256 }, (_, index) => index);
      const large = new Uint8Array(randomBytes(1_500_000));
      const offset = new Uint8Array(randomBytes(64)).subarray(10, 40);
      await store.createJob(newJob({
        id: 'job-refs',
        references: [
          { data: every, source: 'attachment', filename: 'every.png', mimeType: 'image/png' },
          { url: 'https://cdn.discordapp.com/a.png', source: 'url-argument' },
          { data: large, url: 'https://files.slack.com/b.jpg', source: 'previous-result', mimeType: 'image/jpeg' },
          { data: offset, source: 'local-file' },
        ],
      }));
      const references = (await store.get('job-refs'))?.request.references ?? [];
      expect(references.map((reference) => reference.source)).toEqual(['attachment', 'url-argument', 'previous-result', 'local-file']);
      expect(references[0]?.data).toEqual(every);
      expect(references[0]?.data?.constructor).toBe(Uint8Array);
      expect(references[0]).toMatchObject({ filename: 'every.png', mimeType: 'image/png' });
      expect(references[1]).toEqual({ url: 'https://cdn.discordapp.com/a.png', source: 'url-argument' });
      // Element-wise toEqual over 1.5 MB takes seconds; a byte comparison is the same check.
      expect(Buffer.compare(references[2]?.data ?? new Uint8Array(), large)).toBe(0);
      expect(references[2]?.data?.byteLength).toBe(large.byteLength);
      expect(references[3]?.data).toEqual(offset);
      // Listings describe the references without reading their bytes.
      const [listed] = await store.listRecent({ limit: 1 });
      const requesterKey = listed?.requesterKey ?? '';
      for (const listing of [listed, (await store.recentJobsOf(requesterKey, 1))[0]]) {
        expect(listing?.id).toBe('job-refs');
        expect(listing?.request.references.map((reference) => [reference.source, reference.filename, reference.url, reference.data])).toEqual([
          ['attachment', 'every.png', undefined, undefined],
          ['url-argument', undefined, 'https://cdn.discordapp.com/a.png', undefined],
          ['previous-result', undefined, 'https://files.slack.com/b.jpg', undefined],
          ['local-file', undefined, undefined, undefined],
        ]);
      }
    });

    it('walks queued → submitting → submitted → running → succeeded → delivered and commits once', async () => {
      const { store } = await open();
      await store.createJob(newJob({ id: 'job-1' }));
      const lease = await leaseOf(store, 'job-1', noon);
      await store.markSubmitting(lease, noon + 500);
      expect(await store.get('job-1')).toMatchObject({ state: 'queued', submitStartedAt: noon + 500 });
      await store.markSubmitted(lease, 'task-9', noon + 1000);
      await store.markSubmitted(lease, 'task-9', noon + 1100);
      await store.markRunning(lease, 40, noon + 2000);
      await store.markRunning(lease, null, noon + 2500);
      expect(await store.get('job-1')).toMatchObject({ state: 'running', taskId: 'task-9', progress: 40, submittedAt: noon + 1000 });
      const image = new Uint8Array(randomBytes(4096));
      await store.markSucceeded(lease, { url: 'https://provider.example/r.png', data: image, mimeType: 'image/png' }, noon + 3000);
      expect((await store.get('job-1'))?.result).toEqual({ url: 'https://provider.example/r.png', data: image, mimeType: 'image/png' });
      expect((await store.listByState(['succeeded'])).map((job) => job.id)).toEqual(['job-1']);

      await store.markDelivered(lease, 'message-1', noon + 4000);
      await store.markDelivered(lease, 'message-2', noon + 5000);
      const delivered = await store.get('job-1');
      expect(delivered).toMatchObject({ state: 'delivered', deliveredMessageId: 'message-1', finishedAt: noon + 3000 });
      expect(delivered?.result).toEqual({ url: 'https://provider.example/r.png', mimeType: 'image/png' });
      expect((await store.entries('discord:alice')).filter((entry) => entry.kind === 'commit')).toHaveLength(1);
      expect(await store.balance('discord:alice', noon)).toMatchObject({ remaining: 4, reserved: 0 });
      await expectBalanced(store);
    });

    it('refunds a failure once, to the day it was reserved from', async () => {
      const { store } = await open();
      await store.createJob(newJob({ id: 'job-1', resolution: '4K' }));
      const lease = await leaseOf(store, 'job-1', noon);
      await store.markSubmitted(lease, null, noon);
      expect(await store.markFailed(lease, failure, noon + 1000)).toEqual({ refunded: 2 });
      expect(await store.markFailed(lease, { ...failure, code: 'provider_timeout' }, noon + 2000)).toEqual({ refunded: 0 });
      expect(await store.get('job-1')).toMatchObject({ state: 'failed', error: failure, finishedAt: noon + 1000 });
      const refunds = (await store.entries('discord:alice')).filter((entry) => entry.kind === 'refund');
      expect(refunds.map((entry) => [entry.amount, entry.reservedChange, entry.jobId])).toEqual([[2, -2, 'job-1']]);
      expect(await store.balance('discord:alice', noon)).toMatchObject({ remaining: 5, reserved: 0 });
      await expectBalanced(store);
    });

    it('refuses transitions the state machine does not allow', async () => {
      const { store } = await open();
      await store.createJob(newJob({ id: 'job-1' }));
      const lease = await leaseOf(store, 'job-1', noon);
      await expectBotError(store.markRunning(lease, 10, noon), 'internal', /job-1 running: it is queued/);
      await expectBotError(store.markDelivered(lease, 'message-1', noon), 'internal', /job-1 delivered: it is queued/);
      await store.markSubmitted(lease, 'task-1', noon);
      await expectBotError(store.markSubmitted(lease, 'task-2', noon), 'internal', /job-1 submitted: it is submitted/);
      await expectBotError(store.markSubmitting(lease, noon), 'internal', /job-1 submitting: it is submitted/);
      await store.markFailed(lease, failure, noon);
      await expectBotError(store.markDelivered(lease, 'message-1', noon), 'internal', /job-1 delivered: it is failed/);
      await expectBotError(store.markSucceeded(lease, { url: 'https://x.example/a.png' }, noon), 'internal', /it is failed/);
      const missing = { jobId: 'missing', owner: lease.owner, epoch: 1 };
      await expectBotError(store.markSubmitted(missing, null, noon), 'internal', /missing submitted: no such job/);

      await store.createJob(newJob({ id: 'job-2' }));
      const second = await leaseOf(store, 'job-2', noon);
      await store.markSucceeded(second, { url: 'https://x.example/b.png' }, noon);
      await store.markDelivered(second, 'message-2', noon);
      await expectBotError(store.markFailed(second, failure, noon), 'internal', /job-2 failed: it is delivered/);
      expect(await store.balance('discord:alice', noon)).toMatchObject({ remaining: 4, reserved: 0 });
    });

    it('lists jobs by state oldest first and counts a requester’s jobs', async () => {
      const { store } = await open();
      await store.createJob(newJob({ id: 'late', now: noon + 2000 }));
      await store.createJob(newJob({ id: 'early', now: noon }));
      await store.createJob(newJob({ id: 'bob-1', requesterKey: 'slack:bob', now: noon + 1000 }));
      await store.createJob(newJob({ id: 'same-time', requesterKey: 'slack:bob', now: noon + 1000 }));
      await store.markSubmitted(await leaseOf(store, 'bob-1', noon + 3000), 'task', noon + 3000);
      expect((await store.listByState(['queued', 'submitted'])).map((job) => job.id)).toEqual(['early', 'bob-1', 'same-time', 'late']);
      expect((await store.listByState(['queued'])).map((job) => job.id)).toEqual(['early', 'same-time', 'late']);
      expect(await store.countByRequester('discord:alice', ['queued', 'submitted', 'running'])).toBe(2);
      expect(await store.countByRequester('slack:bob', ['running'])).toBe(0);
      expect((await store.listRecent({ limit: 2 })).map((job) => job.id)).toEqual(['late', 'same-time']);
      expect((await store.listRecent({ limit: 10, requesterKey: 'slack:bob', state: 'submitted' })).map((job) => job.id)).toEqual(['bob-1']);
    });

    it('lists one requester’s recent jobs newest first, at most the limit, never anyone else’s', async () => {
      const { store } = await open({ dailyCredits: 50 });
      for (let index = 0; index < 12; index += 1) {
        await store.createJob(newJob({ id: `alice-${index}`, now: noon + index * 1000 }));
        if (index === 5) await store.createJob(newJob({ id: 'bob-1', requesterKey: 'slack:bob', now: noon + index * 1000 }));
      }
      await store.createJob(newJob({ id: 'alice-same-time', now: noon + 11_000 }));
      const newest = Array.from({ length: 9 }, (_, offset) => `alice-${11 - offset}`);
      expect((await store.recentJobsOf('discord:alice', 10)).map((job) => job.id)).toEqual(['alice-same-time', ...newest]);
      expect((await store.recentJobsOf('slack:bob', 10)).map((job) => job.id)).toEqual(['bob-1']);
      expect(await store.recentJobsOf('discord:nobody', 10)).toEqual([]);
    });

    it('purges final jobs past the cutoff with their reference bytes, keeping the ledger and unfinished jobs', async () => {
      const fixture = await open({ dailyCredits: 50 });
      const { store } = fixture;
      const old = at('2026-10-01T12:00:00Z');
      const reference = [{ data: new Uint8Array(randomBytes(2048)), source: 'attachment' as const }];
      const make = (id: string, now: number) => store.createJob(newJob({ id, now, references: reference }));
      await make('old-delivered', old);
      await make('old-failed', old);
      await make('old-queued', old);
      await make('old-succeeded', old);
      await make('new-delivered', noon);
      const lease = (id: string) => leaseOf(store, id, old);
      await store.markSucceeded(await lease('old-delivered'), { data: new Uint8Array(randomBytes(1024)), mimeType: 'image/png' }, old);
      await store.markDelivered(await lease('old-delivered'), 'message-1', old);
      await store.markFailed(await lease('old-failed'), failure, old);
      await store.markSucceeded(await lease('old-succeeded'), { url: 'https://x.example/a.png' }, old);
      await store.markSucceeded(await lease('new-delivered'), { url: 'https://x.example/b.png' }, noon);
      await store.markDelivered(await lease('new-delivered'), 'message-2', noon);
      const ledgerBefore = await store.entries('discord:alice', 1000);
      expect(await fixture.countRows('job_references')).toBe(5);

      expect(await store.purgeFinishedBefore(at('2026-10-21T12:00:00Z'))).toBe(2);
      expect(await store.get('old-delivered')).toBeUndefined();
      expect(await store.get('old-failed')).toBeUndefined();
      expect((await store.get('old-queued'))?.state).toBe('queued');
      expect((await store.get('old-succeeded'))?.state).toBe('succeeded');
      expect((await store.get('new-delivered'))?.state).toBe('delivered');
      expect(await fixture.countRows('job_references')).toBe(3);
      expect(await store.entries('discord:alice', 1000)).toEqual(ledgerBefore);
      expect(await store.purgeFinishedBefore(at('2026-10-21T12:00:00Z'))).toBe(0);
      await expectBalanced(store);
    });
  });
}
