// Jobs in SQLite: creation with dedupe, the state machine with its settlements, stored bytes, and retention.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { BotError } from '../../src/core/errors.ts';
import { auditQuotaAccounts, unbalancedAccounts } from '../../src/store/index.ts';
import { at, newJob, openTestStore, type TestStore } from './store-fixtures.ts';

const noon = at('2026-11-21T12:00:00Z');
const failure = { code: 'provider_failed', message: 'The provider failed', retryable: true } as const;

let opened: TestStore[] = [];
afterEach(() => {
  for (const test of opened) test.close();
  opened = [];
});

function open(quota: Parameters<typeof openTestStore>[0] = {}): TestStore {
  const test = openTestStore(quota);
  opened.push(test);
  return test;
}

function expectInternal(action: () => unknown, message: RegExp): void {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(BotError);
  expect((thrown as BotError).code).toBe('internal');
  expect((thrown as BotError).message).toMatch(message);
}

function expectBalanced(test: TestStore): void {
  expect(unbalancedAccounts(auditQuotaAccounts(test.database))).toEqual([]);
}

describe('SQLite job store', () => {
  it('creates a queued job, charges it once and reads it back as written', () => {
    const { store, ...test } = open();
    const created = store.createJob(newJob({ id: 'job-1', resolution: '4K', communityKey: 'discord:guild' }));
    expect(created.duplicate).toBe(false);
    expect(created.job).toMatchObject({ id: 'job-1', state: 'queued', cost: 2, quotaDay: '2026-11-21', taskId: null });
    expect(store.get('job-1')).toEqual(created.job);
    expect(store.balance('discord:alice', noon)).toMatchObject({ remaining: 3, reserved: 2, dailyCredits: 5 });
    expect(store.entries('discord:alice').map((entry) => [entry.kind, entry.amount, entry.jobId])).toEqual([
      ['reserve', -2, 'job-1'],
      ['reset', 5, null],
    ]);
    expectBalanced({ store, ...test });
  });

  it('returns the existing job for a repeated dedupe key and charges nothing more', () => {
    const { store } = open();
    const first = store.createJob(newJob({ id: 'job-1', dedupeKey: 'interaction-7' }));
    const second = store.createJob(newJob({ id: 'job-2', dedupeKey: 'interaction-7' }));
    expect(second.duplicate).toBe(true);
    expect(second.job.id).toBe('job-1');
    expect(second.job).toEqual(first.job);
    expect(store.get('job-2')).toBeUndefined();
    expect(store.getByDedupeKey('interaction-7')?.id).toBe('job-1');
    expect(store.entries('discord:alice').filter((entry) => entry.kind === 'reserve')).toHaveLength(1);
    expect(store.balance('discord:alice', noon)).toMatchObject({ remaining: 4, reserved: 1 });
  });

  it('keeps reference bytes exactly, in order, as plain Uint8Arrays', () => {
    const { store } = open();
    const every = Uint8Array.from({ length: 256 }, (_, index) => index);
    const large = new Uint8Array(randomBytes(1_500_000));
    const offset = new Uint8Array(randomBytes(64)).subarray(10, 40);
    store.createJob(newJob({
      id: 'job-refs',
      references: [
        { data: every, source: 'attachment', filename: 'every.png', mimeType: 'image/png' },
        { url: 'https://cdn.discordapp.com/a.png', source: 'url-argument' },
        { data: large, url: 'https://files.slack.com/b.jpg', source: 'previous-result', mimeType: 'image/jpeg' },
        { data: offset, source: 'local-file' },
      ],
    }));
    const references = store.get('job-refs')?.request.references ?? [];
    expect(references.map((reference) => reference.source)).toEqual(['attachment', 'url-argument', 'previous-result', 'local-file']);
    expect(references[0]?.data).toEqual(every);
    expect(references[0]?.data?.constructor).toBe(Uint8Array);
    expect(references[0]).toMatchObject({ filename: 'every.png', mimeType: 'image/png' });
    expect(references[1]).toEqual({ url: 'https://cdn.discordapp.com/a.png', source: 'url-argument' });
    expect(Buffer.compare(references[2]?.data ?? new Uint8Array(), large)).toBe(0);
    // Element-wise toEqual over 1.5 MB takes seconds; a byte comparison is the same check.
    expect(references[2]?.data?.byteLength).toBe(large.byteLength);
    expect(references[3]?.data).toEqual(offset);
  });

  it('walks queued → submitted → running → succeeded → delivered and commits once', () => {
    const test = open();
    const { store } = test;
    store.createJob(newJob({ id: 'job-1' }));
    store.markSubmitted('job-1', 'task-9', noon + 1000);
    store.markSubmitted('job-1', 'task-9', noon + 1100);
    store.markRunning('job-1', 40, noon + 2000);
    store.markRunning('job-1', null, noon + 2500);
    expect(store.get('job-1')).toMatchObject({ state: 'running', taskId: 'task-9', progress: 40, submittedAt: noon + 1000 });
    const image = new Uint8Array(randomBytes(4096));
    store.markSucceeded('job-1', { url: 'https://provider.example/r.png', data: image, mimeType: 'image/png' }, noon + 3000);
    expect(store.get('job-1')?.result).toEqual({ url: 'https://provider.example/r.png', data: image, mimeType: 'image/png' });
    expect(store.listByState(['succeeded']).map((job) => job.id)).toEqual(['job-1']);

    store.markDelivered('job-1', 'message-1', noon + 4000);
    store.markDelivered('job-1', 'message-2', noon + 5000);
    const delivered = store.get('job-1');
    expect(delivered).toMatchObject({ state: 'delivered', deliveredMessageId: 'message-1', finishedAt: noon + 3000 });
    expect(delivered?.result).toEqual({ url: 'https://provider.example/r.png', mimeType: 'image/png' });
    expect(store.entries('discord:alice').filter((entry) => entry.kind === 'commit')).toHaveLength(1);
    expect(store.balance('discord:alice', noon)).toMatchObject({ remaining: 4, reserved: 0 });
    expectBalanced(test);
  });

  it('refunds a failure once, to the day it was reserved from', () => {
    const test = open();
    const { store } = test;
    store.createJob(newJob({ id: 'job-1', resolution: '4K' }));
    store.markSubmitted('job-1', null, noon);
    expect(store.markFailed('job-1', failure, noon + 1000)).toEqual({ refunded: 2 });
    expect(store.markFailed('job-1', { ...failure, code: 'provider_timeout' }, noon + 2000)).toEqual({ refunded: 0 });
    expect(store.get('job-1')).toMatchObject({ state: 'failed', error: failure, finishedAt: noon + 1000 });
    const refunds = store.entries('discord:alice').filter((entry) => entry.kind === 'refund');
    expect(refunds.map((entry) => [entry.amount, entry.reservedChange, entry.jobId])).toEqual([[2, -2, 'job-1']]);
    expect(store.balance('discord:alice', noon)).toMatchObject({ remaining: 5, reserved: 0 });
    expectBalanced(test);
  });

  it('refuses transitions the state machine does not allow', () => {
    const { store } = open();
    store.createJob(newJob({ id: 'job-1' }));
    expectInternal(() => store.markRunning('job-1', 10, noon), /job-1 running: it is queued/);
    expectInternal(() => store.markDelivered('job-1', 'message-1', noon), /job-1 delivered: it is queued/);
    store.markSubmitted('job-1', 'task-1', noon);
    expectInternal(() => store.markSubmitted('job-1', 'task-2', noon), /job-1 submitted: it is submitted/);
    store.markFailed('job-1', failure, noon);
    expectInternal(() => store.markDelivered('job-1', 'message-1', noon), /job-1 delivered: it is failed/);
    expectInternal(() => store.markSucceeded('job-1', { url: 'https://x.example/a.png' }, noon), /it is failed/);
    expectInternal(() => store.markSubmitted('missing', null, noon), /missing submitted: no such job/);

    store.createJob(newJob({ id: 'job-2' }));
    store.markSucceeded('job-2', { url: 'https://x.example/b.png' }, noon);
    store.markDelivered('job-2', 'message-2', noon);
    expectInternal(() => store.markFailed('job-2', failure, noon), /job-2 failed: it is delivered/);
    expect(store.balance('discord:alice', noon)).toMatchObject({ remaining: 4, reserved: 0 });
  });

  it('lists jobs by state oldest first and counts a requester’s jobs', () => {
    const { store } = open();
    store.createJob(newJob({ id: 'late', now: noon + 2000 }));
    store.createJob(newJob({ id: 'early', now: noon }));
    store.createJob(newJob({ id: 'bob-1', requesterKey: 'slack:bob', now: noon + 1000 }));
    store.markSubmitted('bob-1', 'task', noon + 3000);
    expect(store.listByState(['queued', 'submitted']).map((job) => job.id)).toEqual(['early', 'bob-1', 'late']);
    expect(store.listByState(['queued']).map((job) => job.id)).toEqual(['early', 'late']);
    expect(store.countByRequester('discord:alice', ['queued', 'submitted', 'running'])).toBe(2);
    expect(store.countByRequester('slack:bob', ['queued'])).toBe(0);
    expect(store.listRecent({ limit: 2 }).map((job) => job.id)).toEqual(['late', 'bob-1']);
    expect(store.listRecent({ limit: 10, requesterKey: 'slack:bob', state: 'submitted' }).map((job) => job.id)).toEqual(['bob-1']);
  });

  it('purges final jobs past the cutoff with their reference bytes, keeping the ledger and unfinished jobs', () => {
    const test = open({ quota: { dailyCredits: 50 } });
    const { store, database } = test;
    const old = at('2026-10-01T12:00:00Z');
    const reference = [{ data: new Uint8Array(randomBytes(2048)), source: 'attachment' as const }];
    const make = (id: string, now: number) => store.createJob(newJob({ id, now, references: reference }));
    make('old-delivered', old);
    store.markSucceeded('old-delivered', { data: new Uint8Array(randomBytes(1024)), mimeType: 'image/png' }, old);
    store.markDelivered('old-delivered', 'message-1', old);
    make('old-failed', old);
    store.markFailed('old-failed', failure, old);
    make('old-queued', old);
    make('old-succeeded', old);
    store.markSucceeded('old-succeeded', { url: 'https://x.example/a.png' }, old);
    make('new-delivered', noon);
    store.markSucceeded('new-delivered', { url: 'https://x.example/b.png' }, noon);
    store.markDelivered('new-delivered', 'message-2', noon);
    const ledgerBefore = store.entries('discord:alice', 1000);
    const referenceRows = () => database.prepare<[], number>('SELECT count(*) FROM job_references').pluck().get();
    expect(referenceRows()).toBe(5);

    expect(store.purgeFinishedBefore(at('2026-10-21T12:00:00Z'))).toBe(2);
    expect(store.get('old-delivered')).toBeUndefined();
    expect(store.get('old-failed')).toBeUndefined();
    expect(store.get('old-queued')?.state).toBe('queued');
    expect(store.get('old-succeeded')?.state).toBe('succeeded');
    expect(store.get('new-delivered')?.state).toBe('delivered');
    expect(referenceRows()).toBe(3);
    expect(store.entries('discord:alice', 1000)).toEqual(ledgerBefore);
    expect(store.purgeFinishedBefore(at('2026-10-21T12:00:00Z'))).toBe(0);
    expectBalanced(test);
  });
});
