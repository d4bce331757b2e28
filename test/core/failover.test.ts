// Failover end to end: the real runner on SQLite and the real provider clients over HTTP to the provider fakes, with their fault switches.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createProviderCooldowns } from '../../src/core/provider-cooldown.ts';
import type { GenerationRequest, ProviderId, Reference } from '../../src/core/request.ts';
import { silentLogger, type Logger } from '../../src/log.ts';
import { startFakeNbpCloud, startFakeNbpNet, startFakeXenodia, type FakeProvider } from '../fakes/providers/index.ts';
import { freePort } from '../support/free-port.ts';
import { waitFor } from '../support/wait-for.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { createRecordingDelivery, type RecordedEvent, type RecordingDelivery } from '../support/recording-delivery.ts';
import { createTestRunner, type TestRunner, type TestRunnerOptions } from '../support/runner-harness.ts';
import { pngOf } from '../support/solid-png.ts';

let xenodia: FakeProvider;
let nbpCloud: FakeProvider;
let nbpNetFree: FakeProvider;
let nbpNetPro: FakeProvider;
const opened: TestRunner[] = [];

beforeAll(async () => {
  xenodia = await startFakeXenodia({ latencyMs: 200, recommendedPollIntervalMs: 100 });
  nbpCloud = await startFakeNbpCloud({ latencyMs: 200 });
  nbpNetFree = await startFakeNbpNet({ plan: 'free' });
  nbpNetPro = await startFakeNbpNet({ plan: 'pro' });
});

afterAll(async () => {
  await Promise.all([xenodia, nbpCloud, nbpNetFree, nbpNetPro].map((fake) => fake.close()));
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((harness) => harness.close()));
  for (const fake of [xenodia, nbpCloud, nbpNetFree, nbpNetPro]) {
    fake.setFault(null);
    fake.clearRequests();
  }
  nbpCloud.setLatency(200);
});

/** Every provider configured against its fake; the test picks PROVIDER, the fallbacks and the nbp-net plan. */
function providerEnvironment(nbpNet: FakeProvider): Record<string, string> {
  return {
    XENODIA_API_KEY: xenodia.apiKey, XENODIA_BASE_URL: xenodia.baseUrl,
    NBPCLOUD_API_KEY: nbpCloud.apiKey, NBPCLOUD_BASE_URL: nbpCloud.baseUrl,
    NBPNET_API_KEY: nbpNet.apiKey, NBPNET_BASE_URL: nbpNet.baseUrl,
    QUOTA_DAILY_CREDITS: '50',
  };
}

function open(environment: Record<string, string>, options: Omit<TestRunnerOptions, 'environment'> = {}): { harness: TestRunner; delivery: RecordingDelivery } {
  const harness = createTestRunner({ environment: { ...providerEnvironment(nbpNetFree), ...environment }, ...options });
  opened.push(harness);
  const delivery = createRecordingDelivery();
  harness.runner.registerDelivery(delivery);
  return { harness, delivery };
}

/** A request as an adapter builds it when the user named no provider (the bot's default, which may move). */
function fromDefault(provider: ProviderId, overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    prompt: 'a banana astronaut',
    references: [],
    resolution: '1K',
    outputFormat: 'png',
    provider,
    providerFromDefault: true,
    requester: { platform: 'cli', userId: 'alice' },
    origin: { platform: 'cli', channelId: 'C1' },
    ...overrides,
  };
}

/** Starts the job and waits for its end, stored. */
async function run(harness: TestRunner, delivery: RecordingDelivery, request: GenerationRequest): Promise<{ jobId: string; end: RecordedEvent }> {
  const { jobId } = await harness.runner.start(request);
  const end = await delivery.settled(jobId);
  // The delivery is told before the job's final state is stored.
  await harness.runner.whenIdle();
  return { jobId, end };
}

const creates = (fake: FakeProvider) => fake.apiRequests().filter((request) => request.method === 'POST' && !request.path.endsWith('/result'));
const attemptsOf = async (harness: TestRunner, jobId: string) =>
  ((await harness.store.get(jobId))?.attempts ?? []).map((attempt) => [attempt.provider, attempt.outcome, attempt.code]);

/** A logger whose lines (parsed) the test can read. */
function recordingLogger(): { logger: Logger; lines: Array<{ level: number; msg: string }> } {
  const lines: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('failover', () => {
  it('sends a request for the default provider to the next fallback when the default answers 402; the job lists both attempts', async () => {
    const { harness, delivery } = open({ PROVIDER: 'xenodia', PROVIDER_FALLBACKS: 'nbp-cloud' });
    xenodia.setFault('status402', { on: 'create' });
    const { jobId, end } = await run(harness, delivery, fromDefault('xenodia'));

    expect(end.kind).toBe('deliver');
    if (end.kind !== 'deliver') return;
    // What the user is shown names the provider that made it, and the one it stands in for.
    expect(end.result.summary).toMatchObject({ provider: 'nbp-cloud', failedOverFrom: 'xenodia', model: 'nano-banana-pro', providerNamed: false });
    const job = await harness.store.get(jobId);
    expect(job).toMatchObject({ state: 'delivered', provider: 'nbp-cloud', model: 'nano-banana-pro' });
    expect(job?.taskId).toMatch(/^task-/);
    expect(await attemptsOf(harness, jobId)).toEqual([['xenodia', 'not_accepted', 'provider_billing'], ['nbp-cloud', 'accepted', undefined]]);
    expect(job?.attempts[0]?.reason).toMatch(/HTTP 402/);
    expect(creates(xenodia)).toHaveLength(1);
    expect(creates(nbpCloud)).toHaveLength(1);
    // Charged to the user once, as for any image.
    expect((await harness.store.entries('cli:alice')).filter((entry) => entry.jobId === jobId).map((entry) => entry.kind)).toEqual(['commit', 'reserve']);
  });

  it('never moves a request whose provider the user named', async () => {
    const { harness, delivery } = open({ PROVIDER: 'xenodia', PROVIDER_FALLBACKS: 'nbp-cloud' });
    xenodia.setFault('status402', { on: 'create' });
    const { providerFromDefault: _named, ...named } = fromDefault('xenodia');
    const { jobId, end } = await run(harness, delivery, named);
    expect(end.kind === 'fail' && end.failure.error.code).toBe('provider_billing');
    expect(creates(nbpCloud)).toHaveLength(0);
    expect(await attemptsOf(harness, jobId)).toEqual([['xenodia', 'not_accepted', 'provider_billing']]);
  });

  it('never moves a task the provider accepted, even when it fails afterwards', async () => {
    const { harness, delivery } = open({ PROVIDER: 'xenodia', PROVIDER_FALLBACKS: 'nbp-cloud' });
    xenodia.setFault('taskFails', { message: 'upstream refused the image' });
    const { jobId, end } = await run(harness, delivery, fromDefault('xenodia'));
    expect(end.kind === 'fail' && end.failure.error.code).toBe('provider_failed');
    expect(end.kind === 'fail' && end.failure.refunded).toBe(1);
    expect(creates(nbpCloud)).toHaveLength(0);
    expect(await attemptsOf(harness, jobId)).toEqual([['xenodia', 'accepted', undefined]]);
  });

  it('never moves a content refusal, on the create call or from the task, and refunds it', async () => {
    const { harness, delivery } = open({ PROVIDER: 'xenodia', PROVIDER_FALLBACKS: 'nbp-cloud' });
    xenodia.setFault('status400', { on: 'create', message: 'The prompt violates our content policy' });
    const onCreate = await run(harness, delivery, fromDefault('xenodia'));
    expect(onCreate.end.kind === 'fail' && onCreate.end.failure.error).toMatchObject({ code: 'content_refused', retryable: false });
    expect(onCreate.end.kind === 'fail' && onCreate.end.failure.refunded).toBe(1);
    expect(await attemptsOf(harness, onCreate.jobId)).toEqual([['xenodia', 'failed', 'content_refused']]);

    xenodia.setFault('taskFails', { message: 'finishReason=IMAGE_SAFETY' });
    const fromTask = await run(harness, delivery, fromDefault('xenodia'));
    expect(fromTask.end.kind === 'fail' && fromTask.end.failure.error.code).toBe('content_refused');
    expect(creates(nbpCloud)).toHaveLength(0);
  });

  it('never moves after a create answer that may have made a task (Xenodia 502), but does after nbp-cloud’s documented 500', async () => {
    const first = open({ PROVIDER: 'xenodia', PROVIDER_FALLBACKS: 'nbp-cloud' });
    xenodia.setFault('status502', { on: 'create' });
    const unknown = await run(first.harness, first.delivery, fromDefault('xenodia'));
    expect(unknown.end.kind === 'fail' && unknown.end.failure.error.code).toBe('provider_failed');
    expect(creates(nbpCloud)).toHaveLength(0);
    expect(await attemptsOf(first.harness, unknown.jobId)).toEqual([['xenodia', 'failed', 'provider_failed']]);

    const second = open({ PROVIDER: 'nbp-cloud', PROVIDER_FALLBACKS: 'xenodia' });
    xenodia.setFault(null);
    nbpCloud.setFault('status500', { on: 'create', message: 'Nano Banana API key missing' });
    const moved = await run(second.harness, second.delivery, fromDefault('nbp-cloud'));
    expect(moved.end.kind).toBe('deliver');
    expect(await attemptsOf(second.harness, moved.jobId)).toEqual([['nbp-cloud', 'not_accepted', 'provider_failed'], ['xenodia', 'accepted', undefined]]);
  });

  it('moves on when the default cannot even be reached (nothing was sent), and after a 429 not worth waiting for', async () => {
    const closedPort = await freePort();
    const unreachable = open({ PROVIDER: 'xenodia', PROVIDER_FALLBACKS: 'nbp-cloud', XENODIA_BASE_URL: `http://127.0.0.1:${closedPort}` });
    const offline = await run(unreachable.harness, unreachable.delivery, fromDefault('xenodia'));
    expect(offline.end.kind).toBe('deliver');
    expect((await unreachable.harness.store.get(offline.jobId))?.attempts[0]).toMatchObject({ provider: 'xenodia', outcome: 'not_accepted', reason: expect.stringMatching(/ECONNREFUSED/) });

    const limited = open({ PROVIDER: 'xenodia', PROVIDER_FALLBACKS: 'nbp-cloud' });
    xenodia.setFault('status429', { on: 'create', retryAfter: '60' });
    const busy = await run(limited.harness, limited.delivery, fromDefault('xenodia'));
    expect(await attemptsOf(limited.harness, busy.jobId)).toEqual([['xenodia', 'not_accepted', 'provider_rate_limited'], ['nbp-cloud', 'accepted', undefined]]);

    // A Retry-After of a second is waited out on the same provider instead.
    nbpCloud.clearRequests();
    xenodia.setFault('status429', { on: 'create', retryAfter: '1', times: 1 });
    const waited = await run(limited.harness, limited.delivery, fromDefault('xenodia'));
    expect(waited.end.kind === 'deliver' && waited.end.result.summary.provider).toBe('xenodia');
    expect(creates(nbpCloud)).toHaveLength(0);
  });

  it('skips a fallback that cannot make 4K (the free nano-banana-pro.net plan) without calling it', async () => {
    const { harness, delivery } = open({ PROVIDER: 'xenodia', PROVIDER_FALLBACKS: 'nbp-net,nbp-cloud', NBPNET_PLAN: 'free' });
    xenodia.setFault('status402', { on: 'create' });
    const { jobId, end } = await run(harness, delivery, fromDefault('xenodia', { resolution: '4K' }));
    expect(end.kind === 'deliver' && end.result.summary.provider).toBe('nbp-cloud');
    expect(await attemptsOf(harness, jobId)).toEqual([
      ['xenodia', 'not_accepted', 'provider_billing'],
      ['nbp-net', 'skipped', 'cannot_serve'],
      ['nbp-cloud', 'accepted', undefined],
    ]);
    expect((await harness.store.get(jobId))?.attempts[1]?.reason).toMatch(/cannot make 4K images on the free plan/);
    expect(nbpNetFree.apiRequests()).toHaveLength(0);
  });

  it('skips a fallback that cannot take 9 references and sends them to one that can', async () => {
    const { harness, delivery } = open(
      { PROVIDER: 'nbp-cloud', PROVIDER_FALLBACKS: 'xenodia,nbp-net', NBPNET_PLAN: 'pro', ...nbpNetKeys(nbpNetPro) },
    );
    nbpCloud.setFault('status402', { on: 'create' });
    const references: Reference[] = await Promise.all(
      Array.from({ length: 9 }, async (_, index) => ({ data: await pngOf(index * 20, 80, 160), filename: `ref-${index}.png`, source: 'attachment' as const })),
    );
    const { jobId, end } = await run(harness, delivery, fromDefault('nbp-cloud', { references }));
    expect(end.kind === 'deliver' && end.result.summary.provider).toBe('nbp-net');
    expect(await attemptsOf(harness, jobId)).toEqual([
      ['nbp-cloud', 'not_accepted', 'provider_billing'],
      ['xenodia', 'skipped', 'cannot_serve'],
      ['nbp-net', 'accepted', undefined],
    ]);
    expect((await harness.store.get(jobId))?.attempts[1]?.reason).toMatch(/at most 8 reference images; you sent 9/);
    expect(xenodia.apiRequests()).toHaveLength(0);
    expect(nbpNetPro.apiRequests()[0]?.files).toHaveLength(9);
  });

  it('tells the user when no provider could take the request, and refunds it', async () => {
    const { harness, delivery } = open({ PROVIDER: 'xenodia', PROVIDER_FALLBACKS: 'nbp-net', NBPNET_PLAN: 'free' });
    xenodia.setFault('status402', { on: 'create' });
    const { jobId, end } = await run(harness, delivery, fromDefault('xenodia', { resolution: '4K' }));
    expect(end.kind).toBe('fail');
    if (end.kind !== 'fail') return;
    expect(end.failure.error).toMatchObject({ code: 'provider_unavailable', retryable: true });
    expect(end.failure.error.message).toMatch(/xenodia: .*HTTP 402.*nbp-net: .*4K/);
    expect(end.failure.refunded).toBe(2);
    expect(await attemptsOf(harness, jobId)).toEqual([['xenodia', 'not_accepted', 'provider_billing'], ['nbp-net', 'skipped', 'cannot_serve']]);
  });

  it('skips a fallback that already holds PROVIDER_MAX_IN_FLIGHT jobs: the slot of a moved job counts where it runs', async () => {
    const { harness, delivery } = open({ PROVIDER: 'xenodia', PROVIDER_FALLBACKS: 'nbp-cloud', PROVIDER_MAX_IN_FLIGHT: '1' });
    nbpCloud.setLatency(1500);
    const { providerFromDefault: _named, ...atNbpCloud } = fromDefault('nbp-cloud');
    const busy = await harness.runner.start({ ...atNbpCloud, requester: { platform: 'cli', userId: 'carol' } });
    await waitFor(() => creates(nbpCloud).length === 1, 'the first job at nbp-cloud');
    xenodia.setFault('status402', { on: 'create' });
    const { jobId, end } = await run(harness, delivery, fromDefault('xenodia'));
    expect(end.kind === 'fail' && end.failure.error.code).toBe('provider_unavailable');
    expect(await attemptsOf(harness, jobId)).toEqual([['xenodia', 'not_accepted', 'provider_billing'], ['nbp-cloud', 'skipped', 'at_capacity']]);
    expect(creates(nbpCloud)).toHaveLength(1);
    expect((await delivery.settled(busy.jobId)).kind).toBe('deliver');
  });

  it('passes over a provider that answered 402 for the cool-down without calling it, logs that once, and tries it again afterwards', async () => {
    const clock = new ManualClock(Date.now());
    const { logger, lines } = recordingLogger();
    const cooldowns = createProviderCooldowns({ cooldownMs: 300_000, clock, logger });
    const { harness, delivery } = open({ PROVIDER: 'xenodia', PROVIDER_FALLBACKS: 'nbp-cloud' }, { cooldowns, logger: silentLogger });
    xenodia.setFault('status402', { on: 'create' });

    const first = await run(harness, delivery, fromDefault('xenodia'));
    expect(first.end.kind === 'deliver' && first.end.result.summary.provider).toBe('nbp-cloud');
    expect(creates(xenodia)).toHaveLength(1);

    xenodia.clearRequests();
    await clock.advanceBy(299_000);
    const second = await run(harness, delivery, fromDefault('xenodia'));
    expect(second.end.kind === 'deliver' && second.end.result.summary.provider).toBe('nbp-cloud');
    // The fake received nothing at all: the cool-down saved the round trip.
    expect(xenodia.apiRequests()).toHaveLength(0);
    expect(await attemptsOf(harness, second.jobId)).toEqual([['xenodia', 'skipped', 'cooling_down'], ['nbp-cloud', 'accepted', undefined]]);
    const errors = lines.filter((line) => line.level >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toMatch(/^xenodia refused work \(HTTP 402\): top up the account/);

    // The operator topped up; once the cool-down is over, the default is asked again and takes the job.
    xenodia.setFault(null);
    await clock.advanceBy(1_001);
    const third = await run(harness, delivery, fromDefault('xenodia'));
    expect(third.end.kind === 'deliver' && third.end.result.summary.provider).toBe('xenodia');
    expect(creates(xenodia)).toHaveLength(1);
    expect(await attemptsOf(harness, third.jobId)).toEqual([['xenodia', 'accepted', undefined]]);
  });
});

/** The nbp-net variables pointing at `fake`. */
function nbpNetKeys(fake: FakeProvider): Record<string, string> {
  return { NBPNET_API_KEY: fake.apiKey, NBPNET_BASE_URL: fake.baseUrl };
}
