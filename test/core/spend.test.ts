// What jobs cost the operator, end to end: the real runner on SQLite and the real provider clients over HTTP to the provider fakes.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GenerationRequest, ProviderId } from '../../src/core/request.ts';
import { startFakeNbpCloud, startFakeXenodia, type FakeProvider } from '../fakes/providers/index.ts';
import { createRecordingDelivery, type RecordedEvent } from '../support/recording-delivery.ts';
import { createTestRunner, type TestRunner } from '../support/runner-harness.ts';

let xenodia: FakeProvider;
let nbpCloud: FakeProvider;
const opened: TestRunner[] = [];

beforeAll(async () => {
  xenodia = await startFakeXenodia({ latencyMs: 200, recommendedPollIntervalMs: 100 });
  nbpCloud = await startFakeNbpCloud({ latencyMs: 200 });
});

afterAll(async () => {
  await Promise.all([xenodia.close(), nbpCloud.close()]);
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((harness) => harness.close()));
  xenodia.setFault(null);
  nbpCloud.setFault(null);
});

/** A runner with `provider` as the default, both fakes configured, and the operator's `prices`. */
function open(provider: ProviderId, prices?: string) {
  const harness = createTestRunner({
    environment: {
      PROVIDER: provider,
      XENODIA_API_KEY: xenodia.apiKey, XENODIA_BASE_URL: xenodia.baseUrl,
      NBPCLOUD_API_KEY: nbpCloud.apiKey, NBPCLOUD_BASE_URL: nbpCloud.baseUrl,
      QUOTA_DAILY_CREDITS: '50',
      ...(prices === undefined ? {} : { PROVIDER_PRICES: prices }),
    },
  });
  opened.push(harness);
  const delivery = createRecordingDelivery('discord');
  harness.runner.registerDelivery(delivery);
  const run = async (overrides: Partial<GenerationRequest> = {}): Promise<{ jobId: string; end: RecordedEvent }> => {
    const { jobId } = await harness.runner.start({
      prompt: 'a banana astronaut', references: [], resolution: '1K', outputFormat: 'png', provider,
      requester: { platform: 'discord', userId: 'alice', communityId: 'guild-1' }, origin: { platform: 'discord', channelId: 'C1' },
      ...overrides,
    });
    const end = await delivery.settled(jobId);
    await harness.runner.whenIdle();
    return { jobId, end };
  };
  return { harness, run };
}

describe('spend', () => {
  it('records the cost nbp-cloud reports (credits_cost), ahead of a configured price', async () => {
    const { harness, run } = open('nbp-cloud', 'nbp-cloud:*=99cr');
    const { jobId, end } = await run();
    expect(end.kind).toBe('deliver');
    expect(await harness.store.spendOf(jobId)).toEqual({ amountMicros: 20_000_000, unit: 'cr', source: 'reported' });
    const cheaper = await run({ model: 'nano-banana-fast' });
    expect(await harness.store.spendOf(cheaper.jobId)).toEqual({ amountMicros: 5_000_000, unit: 'cr', source: 'reported' });
  });

  it('uses the configured price for xenodia, per resolution with * for the rest', async () => {
    const { harness, run } = open('xenodia', 'xenodia:4K=0.24,xenodia:*=0.13');
    const standard = await run();
    const large = await run({ resolution: '4K' });
    expect(await harness.store.spendOf(standard.jobId)).toEqual({ amountMicros: 130_000, unit: '', source: 'price' });
    expect(await harness.store.spendOf(large.jobId)).toEqual({ amountMicros: 240_000, unit: '', source: 'price' });
  });

  it('records a cost nobody reported or priced as unknown, never as zero', async () => {
    const { harness, run } = open('xenodia');
    const { jobId } = await run();
    expect(await harness.store.spendOf(jobId)).toEqual({ amountMicros: null, unit: '', source: 'unknown' });
  });

  it('counts a failed nbp-cloud task as costing nothing: the service refunds failed tasks', async () => {
    const { harness, run } = open('nbp-cloud');
    nbpCloud.setFault('taskFails', { message: 'Image generation failed' });
    const { jobId, end } = await run();
    expect(end.kind === 'fail' && end.failure.error.code).toBe('provider_failed');
    expect(await harness.store.spendOf(jobId)).toEqual({ amountMicros: 0, unit: 'cr', source: 'refunded' });
    // A failed task at a provider that documents no refund keeps its price: it may have been charged.
    const other = open('xenodia', 'xenodia:*=0.13');
    xenodia.setFault('taskFails');
    const kept = await other.run();
    expect(await other.harness.store.spendOf(kept.jobId)).toEqual({ amountMicros: 130_000, unit: '', source: 'price' });
  });

  it('adds the jobs up by provider and by day in the report the admin commands show', async () => {
    const { harness, run } = open('nbp-cloud');
    await run();
    await run();
    await run({ model: 'nano-banana-fast' });
    const byProvider = await harness.store.spendReport({ by: 'provider' });
    expect(byProvider).toEqual([{ key: 'nbp-cloud', unit: 'cr', jobs: 3, knownJobs: 3, refundedJobs: 0, amountMicros: 45_000_000 }]);
    const today = new Date().toISOString().slice(0, 10);
    expect((await harness.store.spendReport({ by: 'day' })).map((row) => [row.key, row.amountMicros])).toEqual([[today, 45_000_000]]);
    expect((await harness.store.spendReport({ by: 'server' })).map((row) => row.key)).toEqual(['discord:guild-1']);
  });
});
