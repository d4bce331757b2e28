// Community controls in the core over a real SQLite store: channels, server terms, defaults, role credits, cancel, /show and the moderation log.
import { afterEach, describe, expect, it } from 'vitest';
import { botErrorOf } from '../support/bot-error-of.ts';
import type { Actor } from '../../src/core/imagine-service.ts';
import type { GenerationRequest, Requester } from '../../src/core/request.ts';
import { startAdapterTestBackend } from '../support/adapter-test-backend.ts';
import { createRecordingDelivery, type RecordingDelivery } from '../support/recording-delivery.ts';
import { createTestRunner, type TestRunner } from '../support/runner-harness.ts';
import { waitFor } from '../support/wait-for.ts';

const opened: TestRunner[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((harness) => harness.close()));
});

function open(environment: Record<string, string> = {}): { harness: TestRunner; delivery: RecordingDelivery } {
  const harness = createTestRunner({ environment: { QUOTA_DAILY_CREDITS: '3', MOCK_DELAY_MS: '10', ...environment } });
  opened.push(harness);
  const delivery = createRecordingDelivery('discord');
  harness.runner.registerDelivery(delivery);
  return { harness, delivery };
}

const guild = 'G1';
const communityKey = `discord:${guild}`;

function member(userId: string, roleIds?: string[]): Requester {
  return { platform: 'discord', userId, communityId: guild, ...(roleIds === undefined ? {} : { roleIds }) };
}

function admin(userId = 'mod'): Actor {
  return { ...member(userId), isCommunityAdmin: true };
}

function request(prompt: string, requester = member('alice'), extra: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    prompt,
    references: [],
    resolution: '1K',
    resolutionFromDefault: true,
    outputFormat: 'png',
    provider: 'mock',
    providerFromDefault: true,
    requester,
    origin: { platform: 'discord', communityId: guild, channelId: 'C-general' },
    ...extra,
  };
}


describe('community screening', () => {
  it('refuses a server term (and its evasions) before anything is reserved, records it, and lets innocent words through', async () => {
    const { harness } = open();
    await harness.runner.resume();
    await harness.runner.changeSettings(communityKey, { setting: 'blockTerm', entry: ' bad ' }, admin());
    const before = await harness.runner.balance(member('alice'));
    for (const prompt of ['a bad dog', 'a B.A.D dog', 'a bäd dog']) {
      const error = await botErrorOf(harness.runner.start(request(prompt)));
      expect(error.code).toBe('prompt_blocked');
      expect(error.blockedRule).toBe('bad');
    }
    expect((await harness.runner.balance(member('alice'))).remaining).toBe(before.remaining);
    expect(await harness.store.listRecent({ limit: 10 })).toHaveLength(0);
    const log = await harness.runner.moderationLog({ communityKey, limit: 10 });
    expect(log.map((entry) => [entry.kind, entry.prompt, entry.detail, entry.source])).toEqual([
      ['blocked', 'a bäd dog', 'bad', 'server'],
      ['blocked', 'a B.A.D dog', 'bad', 'server'],
      ['blocked', 'a bad dog', 'bad', 'server'],
    ]);
    // Another server's list does not apply, and a word merely containing the letters passes.
    await harness.runner.start(request('a bad dog', { platform: 'discord', userId: 'bob', communityId: 'G2' }, { origin: { platform: 'discord', communityId: 'G2' } }));
    await harness.runner.start(request('a shiny badge'));
  });

  it('refuses a catastrophic or malformed pattern when it is added, and changes nothing', async () => {
    const { harness } = open();
    for (const entry of ['/(a+)+$/', '/(unclosed/']) {
      const error = await botErrorOf(harness.runner.changeSettings(communityKey, { setting: 'blockTerm', entry }, admin()));
      expect(error.code).toBe('invalid_request');
      expect(error.message).toMatch(/^Not added: /);
    }
    expect((await harness.runner.communitySettings(communityKey)).blockedTerms).toEqual([]);
    expect(await harness.runner.settingsChanges(communityKey)).toEqual([]);
  });

  it('refuses requests outside the allowed channels (a thread of an allowed channel is fine)', async () => {
    const { harness } = open();
    await harness.runner.resume();
    await harness.runner.changeSettings(communityKey, { setting: 'allowChannel', channelId: 'C-art' }, admin());
    const screened = await harness.runner.screen({ prompt: 'a cat', requester: member('alice'), origin: { platform: 'discord', communityId: guild, channelId: 'C-general' } });
    expect(screened).toEqual({ kind: 'channel_not_allowed', allowedChannels: ['C-art'] });
    const error = await botErrorOf(harness.runner.start(request('a cat')));
    expect(error.code).toBe('channel_not_allowed');
    expect(await harness.store.listRecent({ limit: 10 })).toHaveLength(0);
    expect(await harness.runner.screen({ prompt: 'a cat', requester: member('alice'), origin: { platform: 'discord', communityId: guild, channelId: 'T1' }, parentChannelId: 'C-art' })).toBeUndefined();
    await harness.runner.start(request('a cat', member('alice'), { origin: { platform: 'discord', communityId: guild, channelId: 'C-art' } }));
  });
});

describe('community defaults and credits', () => {
  it('fills in the server defaults where the user chose nothing, and lets the user override them', async () => {
    const { harness } = open();
    await harness.runner.resume();
    await harness.runner.changeSettings(communityKey, { setting: 'aspectRatio', value: '16:9' }, admin());
    await harness.runner.changeSettings(communityKey, { setting: 'resolution', value: '2K' }, admin());
    const defaulted = await harness.runner.start(request('a cat'));
    expect(defaulted.summary).toMatchObject({ aspectRatio: '16:9', resolution: '2K' });
    const overridden = await harness.runner.start(request('a dog', member('alice'), { aspectRatio: '1:1', resolution: '1K', resolutionFromDefault: false }));
    expect(overridden.summary).toMatchObject({ aspectRatio: '1:1', resolution: '1K' });
    const changes = await harness.runner.settingsChanges(communityKey);
    expect(changes.map((change) => [change.actorKey, change.change])).toEqual([
      ['discord:mod', { setting: 'resolution', value: '2K' }],
      ['discord:mod', { setting: 'aspectRatio', value: '16:9' }],
    ]);
  });

  it('gives members the daily credits of the server, and of their highest role', async () => {
    const { harness } = open({ QUOTA_DAILY_CREDITS: '1' });
    await harness.runner.resume();
    await harness.runner.changeSettings(communityKey, { setting: 'dailyCredits', value: 2 }, admin());
    await harness.runner.changeSettings(communityKey, { setting: 'roleCredits', roleId: 'booster', value: 5 }, admin());
    await harness.runner.changeSettings(communityKey, { setting: 'roleCredits', roleId: 'regular', value: 3 }, admin());
    expect((await harness.runner.balance(member('plain'))).dailyCredits).toBe(2);
    const booster = member('bee', ['regular', 'booster']);
    expect((await harness.runner.balance(booster)).remaining).toBe(5);
    for (let index = 0; index < 5; index += 1) await harness.runner.start(request(`cat ${index}`, booster));
    expect((await botErrorOf(harness.runner.start(request('one more', booster)))).code).toBe('quota_exceeded');
    // Outside any server the operator's allowance applies.
    expect((await harness.runner.balance({ platform: 'discord', userId: 'loner' })).dailyCredits).toBe(1);
  });
});

describe('cancel', () => {
  it('ends a queued job at once with a refund; someone else may not, an admin may', async () => {
    const { harness, delivery } = open({ MAX_JOBS_PER_USER: '1', MOCK_DELAY_MS: '60000' });
    await harness.runner.resume();
    const first = await harness.runner.start(request('first'));
    const second = await harness.runner.start(request('second'));
    expect(second.queuePosition).toBe(1);
    const stranger = await harness.runner.cancel(second.jobId, { ...member('mallory'), isCommunityAdmin: false });
    expect(stranger.kind).toBe('not_allowed');
    const cancelled = await harness.runner.cancel(second.jobId.slice(0, 8), { ...member('alice'), isCommunityAdmin: false });
    expect(cancelled).toMatchObject({ kind: 'cancelled', refunded: 1, cancelledBy: 'alice' });
    expect(delivery.eventsOf(second.jobId).at(-1)).toMatchObject({ kind: 'cancelled', notice: { byRequester: true, refunded: 1, cancelledByUserId: 'alice' } });
    const byAdmin = await harness.runner.cancel(first.jobId, admin());
    expect(byAdmin).toMatchObject({ kind: 'cancelled', refunded: 1 });
    expect((await harness.runner.balance(member('alice'))).remaining).toBe(3);
    expect((await harness.store.get(first.jobId))?.error?.code).toBe('cancelled');
    expect((await harness.runner.cancel(first.jobId, admin())).kind).toBe('finished');
    // An admin of another server cannot cancel this one.
    expect((await harness.runner.cancel(first.jobId, { platform: 'discord', userId: 'other', communityId: 'G2', isCommunityAdmin: true })).kind).toBe('not_allowed');
  });

  it('never posts a result that arrives after the cancel', async () => {
    const { harness, delivery } = open({ MOCK_DELAY_MS: '1500' });
    await harness.runner.resume();
    const started = await harness.runner.start(request('slow'));
    await waitFor(async () => (await harness.store.get(started.jobId))?.state === 'submitted' || (await harness.store.get(started.jobId))?.state === 'running', 'the job at the provider');
    expect((await harness.runner.cancel(started.jobId, { ...member('alice'), isCommunityAdmin: false })).kind).toBe('cancelled');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await harness.runner.whenIdle();
    const kinds = delivery.eventsOf(started.jobId).map((event) => event.kind);
    expect(kinds).not.toContain('deliver');
    expect(kinds.at(-1)).toBe('cancelled');
    expect((await harness.store.get(started.jobId))?.state).toBe('failed');
  });
});

describe('/show and refusals', () => {
  it('shows a delivered job from the kept image, only within its server or to its requester', async () => {
    const { harness, delivery } = open();
    await harness.runner.resume();
    const started = await harness.runner.start(request('a lighthouse'));
    const settled = await delivery.settled(started.jobId);
    if (settled.kind !== 'deliver') throw new Error(`expected a delivery, got ${settled.kind}`);
    await waitFor(async () => (await harness.store.get(started.jobId))?.state === 'delivered', 'the delivered state');
    const shown = await harness.runner.showJob(started.jobId, member('bob'));
    if (shown.kind !== 'found') throw new Error(`expected the image, got ${shown.kind}`);
    expect(Buffer.from(shown.image.data).equals(Buffer.from(settled.result.image.data))).toBe(true);
    expect(shown.canUpscale).toBe(true);
    expect((await harness.runner.showJob(started.jobId, { platform: 'discord', userId: 'eve', communityId: 'G2' })).kind).toBe('unknown');
    expect((await harness.runner.showJob(started.jobId.slice(0, 8), member('alice'))).kind).toBe('found');
  });

  it('keeps no image when SHOW_IMAGE_MAX_MB is 0, and says so', async () => {
    const { harness, delivery } = open({ SHOW_IMAGE_MAX_MB: '0' });
    await harness.runner.resume();
    const started = await harness.runner.start(request('a lighthouse'));
    expect((await delivery.settled(started.jobId)).kind).toBe('deliver');
    await waitFor(async () => (await harness.store.get(started.jobId))?.state === 'delivered', 'the delivered state');
    expect(await harness.store.keptImage(started.jobId)).toBeUndefined();
    expect((await harness.runner.showJob(started.jobId, member('alice'))).kind).toBe('no_image');
  });

  it('records a provider refusal in the moderation log with the provider and its reason', async () => {
    const backend = await startAdapterTestBackend('core');
    try {
      const harness = createTestRunner({ environment: backend.environment, progressIntervalMs: 50 });
      opened.push(harness);
      const delivery = createRecordingDelivery('discord');
      harness.runner.registerDelivery(delivery);
      await harness.runner.resume();
      backend.xenodia.setFault('taskFails', { message: 'The prompt was flagged as unsafe', times: 1 });
      const started = await harness.runner.start(request('a forbidden picture', member('alice'), { provider: 'xenodia' }));
      const settled = await delivery.settled(started.jobId);
      expect(settled).toMatchObject({ kind: 'fail', failure: { error: { code: 'content_refused' }, refunded: 1 } });
      await waitFor(async () => (await harness.runner.moderationLog({ communityKey, limit: 5 })).length === 1, 'the refusal in the log');
      const [entry] = await harness.runner.moderationLog({ communityKey, limit: 5 });
      expect(entry).toMatchObject({
        kind: 'refused', requesterKey: 'discord:alice', prompt: 'a forbidden picture', source: 'xenodia', jobId: started.jobId, channelId: 'C-general',
      });
      expect(entry?.detail).toContain('The prompt was flagged as unsafe');
      await harness.close();
      opened.splice(opened.indexOf(harness), 1);
    } finally {
      await backend.close();
    }
  });
});
