// The job runner end to end over a real SQLite file and the fake Xenodia: charge, deliver, refund, queue, dedupe.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { botErrorOf } from '../support/bot-error-of.ts';
import type { GenerationRequest } from '../../src/core/request.ts';
import { resultImageBytes, startFakeXenodia, type FakeXenodia } from '../fakes/providers/index.ts';
import { createRecordingDelivery, type RecordingDelivery } from '../support/recording-delivery.ts';
import { createTestRunner, type TestRunner } from '../support/runner-harness.ts';

let fake: FakeXenodia;
const opened: TestRunner[] = [];

beforeAll(async () => {
  fake = await startFakeXenodia({ latencyMs: 400 });
});

afterAll(async () => {
  await fake.close();
});

afterEach(async () => {
  fake.setFault(null);
  fake.setLatency(400);
  await Promise.all(opened.splice(0).map((harness) => harness.close()));
});

function open(environment: Record<string, string> = {}, databasePath?: string): { harness: TestRunner; delivery: RecordingDelivery } {
  const harness = createTestRunner({
    environment: { PROVIDER: 'xenodia', XENODIA_API_KEY: fake.apiKey, XENODIA_BASE_URL: fake.baseUrl, QUOTA_DAILY_CREDITS: '5', ...environment },
    ...(databasePath === undefined ? {} : { databasePath }),
  });
  opened.push(harness);
  const delivery = createRecordingDelivery();
  harness.runner.registerDelivery(delivery);
  return { harness, delivery };
}

function request(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    prompt: 'a banana astronaut',
    references: [],
    resolution: '1K',
    outputFormat: 'png',
    provider: 'xenodia',
    requester: { platform: 'cli', userId: 'alice' },
    origin: { platform: 'cli', channelId: 'C1' },
    ...overrides,
  };
}


describe('job runner', () => {
  it('charges, reports progress, delivers the provider image and commits the credit', async () => {
    const { harness, delivery } = open();
    const started = await harness.runner.start(request());
    expect(started.cost).toBe(1);
    expect(started.balance.remaining).toBe(4);
    const settled = await delivery.settled(started.jobId);
    expect(settled.kind).toBe('deliver');
    if (settled.kind !== 'deliver') return;
    expect(settled.result.image.data).toEqual(await resultImageBytes('small'));
    expect(settled.result.image.mimeType).toBe('image/png');
    expect(settled.result.canUpscale).toBe(true);
    expect(settled.result.balance.remaining).toBe(4);
    await harness.runner.whenIdle();
    const phases = delivery.eventsOf(started.jobId).flatMap((event) => (event.kind === 'progress' ? [event.progress.phase] : []));
    expect(phases).toContain('submitted');
    const job = await harness.store.get(started.jobId);
    expect(job?.state).toBe('delivered');
    expect(job?.deliveredMessageId).toMatch(/^message-/);
    expect((await harness.store.entries('cli:alice')).map((entry) => entry.kind)).toContain('commit');
    const create = fake.apiRequests().find((recorded) => recorded.method === 'POST');
    expect(create?.json).toMatchObject({ model: 'nano-banana-pro', prompt: 'a banana astronaut', resolution: '1K' });
  });

  it('refunds and explains when the provider refuses payment (402)', async () => {
    const { harness, delivery } = open();
    fake.setFault('status402', { on: 'create' });
    const started = await harness.runner.start(request({ resolution: '4K' }));
    expect(started.balance.remaining).toBe(3);
    const settled = await delivery.settled(started.jobId);
    expect(settled.kind).toBe('fail');
    if (settled.kind !== 'fail') return;
    expect(settled.failure.error.code).toBe('provider_billing');
    expect(settled.failure.refunded).toBe(2);
    expect((await harness.runner.balance(request().requester)).remaining).toBe(5);
  });

  it('fails a task that never finishes at the deadline, with a refund', async () => {
    const { harness, delivery } = open({ JOB_DEADLINE_SECONDS: '2' });
    fake.setFault('taskNeverFinishes');
    const started = await harness.runner.start(request());
    const settled = await delivery.settled(started.jobId);
    expect(settled.kind === 'fail' && settled.failure.error.code).toBe('provider_timeout');
    expect((await harness.runner.balance(request().requester)).remaining).toBe(5);
  });

  it('fails with download_failed when the result URL is gone, with a refund', async () => {
    const { harness, delivery } = open();
    fake.setFault('resultNotFound');
    const started = await harness.runner.start(request());
    const settled = await delivery.settled(started.jobId);
    expect(settled.kind === 'fail' && settled.failure.error.code).toBe('download_failed');
    expect((await harness.store.get(started.jobId))?.state).toBe('failed');
    expect((await harness.runner.balance(request().requester)).remaining).toBe(5);
  });

  it('creates one job and one charge for a retried platform event', async () => {
    const { harness, delivery } = open();
    const [first, second] = await Promise.all([
      harness.runner.start(request(), { dedupeKey: 'event-1' }),
      harness.runner.start(request(), { dedupeKey: 'event-1' }),
    ]);
    expect(second?.jobId).toBe(first?.jobId);
    expect([first?.duplicate, second?.duplicate].sort()).toEqual([false, true]);
    await delivery.settled(first?.jobId as string);
    expect((await harness.store.entries('cli:alice')).filter((entry) => entry.kind === 'reserve')).toHaveLength(1);
    expect((await harness.runner.balance(request().requester)).remaining).toBe(4);
  });

  it('refuses over quota with the user-ready message and sends nothing', async () => {
    const { harness } = open({ QUOTA_DAILY_CREDITS: '1' });
    fake.clearRequests();
    const refused = await botErrorOf(harness.runner.start(request({ resolution: '4K' })));
    expect(refused.code).toBe('quota_exceeded');
    expect(refused.message).toMatch(/costs 2 credits and you have 1 left today/);
    expect(fake.apiRequests()).toHaveLength(0);
    expect(await harness.store.listByState(['queued', 'submitted', 'running'])).toHaveLength(0);
  });

  it('refuses an invalid request before charging or calling the provider', async () => {
    const { harness } = open();
    fake.clearRequests();
    const refused = await botErrorOf(harness.runner.start(request({ aspectRatio: '7:3' })));
    expect(refused.code).toBe('invalid_request');
    expect(refused.message).toContain('does not support aspect ratio "7:3"');
    expect(fake.apiRequests()).toHaveLength(0);
    expect((await harness.runner.balance(request().requester)).remaining).toBe(5);
  });

  it('queues a user beyond their concurrent-job limit and tells them their place', async () => {
    const { harness, delivery } = open({ MAX_JOBS_PER_USER: '1' });
    const first = await harness.runner.start(request({ prompt: 'one' }));
    const second = await harness.runner.start(request({ prompt: 'two' }));
    const third = await harness.runner.start(request({ prompt: 'three' }));
    expect(first.queuePosition).toBeUndefined();
    expect(second.queuePosition).toBe(1);
    expect(third.queuePosition).toBe(2);
    const other = await harness.runner.start(request({ prompt: 'bob', requester: { platform: 'cli', userId: 'bob' } }));
    expect(other.queuePosition).toBeUndefined();
    await Promise.all([first, second, third].map((started) => delivery.settled(started.jobId)));
    const deliveredOrder = delivery.events.flatMap((event) => (event.kind === 'deliver' && event.result.summary.requesterKey === 'cli:alice' ? [event.result.summary.prompt] : []));
    expect(deliveredOrder).toEqual(['one', 'two', 'three']);
    // As the line moved, the third job's user was told its new place.
    const thirdPlaces = delivery.eventsOf(third.jobId).flatMap((event) => (event.kind === 'progress' && event.progress.phase === 'queued' ? [event.progress] : []));
    expect(thirdPlaces.map((progress) => [progress.queuePosition, progress.queueReason])).toEqual([[1, 'user_limit']]);
  });

  it('holds jobs beyond the provider cap in FIFO order', async () => {
    const { harness, delivery } = open({ PROVIDER_MAX_IN_FLIGHT: '1' });
    const first = await harness.runner.start(request({ requester: { platform: 'cli', userId: 'u1' } }));
    const second = await harness.runner.start(request({ requester: { platform: 'cli', userId: 'u2' } }));
    expect(first.queuePosition).toBeUndefined();
    expect(second.queuePosition).toBe(1);
    await delivery.settled(second.jobId);
    const [firstCreate, secondCreate] = fake.apiRequests().filter((recorded) => recorded.method === 'POST').slice(-2);
    // The second create only goes out once the first task has finished (400 ms latency).
    expect((secondCreate?.receivedAt ?? 0) - (firstCreate?.receivedAt ?? 0)).toBeGreaterThanOrEqual(350);
    expect((await delivery.settled(first.jobId)).kind).toBe('deliver');
  });

  it('retries a failing platform, then fails the job with a refund', async () => {
    const { harness, delivery } = open();
    delivery.failNextDeliveries(3);
    const started = await harness.runner.start(request());
    const settled = await delivery.settled(started.jobId);
    expect(settled.kind === 'fail' && settled.failure.error.code).toBe('platform_failed');
    expect((await harness.runner.balance(request().requester)).remaining).toBe(5);
  });

  it('resumes a job after a stop and delivers it exactly once', async () => {
    fake.setLatency(1500);
    const first = open();
    const started = await first.harness.runner.start(request());
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await first.harness.store.get(started.jobId))?.state).toBe('submitted');
    await first.harness.runner.stop();
    const second = open({}, first.harness.databasePath);
    await second.harness.runner.resume();
    const settled = await second.delivery.settled(started.jobId);
    expect(settled.kind).toBe('deliver');
    expect(first.delivery.events.filter((event) => event.kind === 'deliver')).toHaveLength(0);
    await second.harness.runner.whenIdle();
    expect((await second.harness.store.get(started.jobId))?.state).toBe('delivered');
    const creates = fake.apiRequests().filter((recorded) => recorded.method === 'POST');
    expect(creates.filter((recorded) => (recorded.json as { prompt?: string } | undefined)?.prompt === 'a banana astronaut').length).toBeGreaterThan(0);
  });

  it('persists an acknowledged request, forgets it once it is a job or refused, and ends it after a crash', async () => {
    const first = open();
    const origin = { platform: 'cli' as const, channelId: 'C1', messageId: 'pending-1' };
    expect(await first.harness.runner.accept({ dedupeKey: 'event-a', origin, prompt: 'a banana' })).toBe(true);
    expect((await first.harness.store.listIntakes()).map((intake) => intake.dedupeKey)).toEqual(['event-a']);
    const started = await first.harness.runner.start(request(), { dedupeKey: 'event-a' });
    expect(await first.harness.store.listIntakes()).toEqual([]);
    // The platform retries the same event later: it is recognised, nothing new is recorded.
    expect(await first.harness.runner.accept({ dedupeKey: 'event-a', origin, prompt: 'a banana' })).toBe(false);
    await first.delivery.settled(started.jobId);

    await first.harness.runner.accept({ dedupeKey: 'event-b', origin, prompt: 'bad' });
    await botErrorOf(first.harness.runner.start(request({ aspectRatio: '7:3' }), { dedupeKey: 'event-b' }));
    expect(await first.harness.store.listIntakes()).toEqual([]);

    // Acknowledged, then the process died before the job was created.
    await first.harness.runner.accept({ dedupeKey: 'event-c', origin, prompt: 'a comet made of bananas' });
    await first.harness.runner.stop();
    const second = open({}, first.harness.databasePath);
    await second.harness.runner.resume();
    const ended = second.delivery.events.filter((event) => event.kind === 'interrupted');
    expect(ended).toEqual([expect.objectContaining({ prompt: 'a comet made of bananas', origin })]);
    expect(await second.harness.store.listIntakes()).toEqual([]);
    expect((await second.harness.runner.balance(request().requester)).remaining).toBe(4);
  });
});
