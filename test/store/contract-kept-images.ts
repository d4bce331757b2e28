// Contract: a delivered job's kept image round-trips byte for byte, is stored only with a delivery, never rides along in listings, and is purged with its job.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { KeptImage } from '../../src/core/kept-image.ts';
import { expectBalanced, leaseOf, useFixtures, type OpenStoreFixture } from './store-contract.ts';
import { at, newJob } from './store-fixtures.ts';

const noon = at('2026-11-21T12:00:00Z');
const failure = { code: 'provider_failed', message: 'The provider failed', retryable: true } as const;

/** Bytes covering every byte value (zeros included) followed by random ones. */
function imageBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let index = 0; index < 256 && index < size; index++) bytes[index] = index;
  bytes.set(randomBytes(Math.max(0, size - 256)), Math.min(256, size));
  return bytes;
}

/** The kept image tests, run against the store `openFixture` opens. */
export function describeKeptImageContract(openFixture: OpenStoreFixture): void {
  describe('kept images', () => {
    const open = useFixtures(openFixture);

    it('keeps the delivered image byte for byte, reads it from another store, and keeps the first on a repeated delivery', async () => {
      const fixture = await open();
      const { store } = fixture;
      await store.createJob(newJob({ id: 'job-1', now: noon }));
      const lease = await leaseOf(store, 'job-1', noon);
      await store.markSucceeded(lease, { url: 'https://provider.example/a.webp' }, noon + 10);
      const kept: KeptImage = { data: imageBytes(1_500_000), mimeType: 'image/webp' };
      await store.markDelivered(lease, 'message-1', noon + 20, kept);

      const read = await store.keptImage('job-1');
      expect(read?.mimeType).toBe('image/webp');
      expect(read?.data).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(read?.data ?? []).equals(Buffer.from(kept.data))).toBe(true);
      expect(await (await fixture.openAnother()).keptImage('job-1')).toEqual(read);

      // Recovery delivering again changes nothing: the first message id, commit and image stand.
      await store.markDelivered(lease, 'message-2', noon + 30, { data: new Uint8Array([9, 9, 9]), mimeType: 'image/png' });
      expect(await store.keptImage('job-1')).toEqual(read);
      expect((await store.get('job-1'))?.deliveredMessageId).toBe('message-1');
      expect(await fixture.countRows('job_images')).toBe(1);
      await expectBalanced(store);
    });

    it('keeps nothing when none is given, for failed or unknown jobs, or when the delivery is refused', async () => {
      const fixture = await open();
      const { store } = fixture;
      for (const id of ['plain', 'failed', 'queued']) await store.createJob(newJob({ id, now: noon }));
      const plain = await leaseOf(store, 'plain', noon);
      await store.markSucceeded(plain, { url: 'https://provider.example/p.png' }, noon + 10);
      await store.markDelivered(plain, 'message-1', noon + 20);
      await store.markFailed(await leaseOf(store, 'failed', noon), failure, noon + 10);
      // Delivering a job that has not succeeded is refused, and the image given with it is not stored.
      await expect(store.markDelivered(await leaseOf(store, 'queued', noon), 'message-2', noon + 20, { data: new Uint8Array([1]), mimeType: 'image/png' }))
        .rejects.toThrow();
      for (const id of ['plain', 'failed', 'queued', 'no-such-job']) expect(await store.keptImage(id)).toBeUndefined();
      expect(await fixture.countRows('job_images')).toBe(0);
    });

    it('leaves the kept bytes out of every job listing', async () => {
      const { store } = await open();
      await store.createJob(newJob({ id: 'job-1', now: noon }));
      const lease = await leaseOf(store, 'job-1', noon);
      await store.markSucceeded(lease, { data: imageBytes(4_096), mimeType: 'image/png' }, noon + 10);
      await store.markDelivered(lease, 'message-1', noon + 20, { data: imageBytes(4_096), mimeType: 'image/png' });
      const record = await store.get('job-1');
      expect(record?.result).toEqual({ mimeType: 'image/png' });
      for (const listed of [
        await store.listRecent({ limit: 10 }),
        await store.recentJobsOf('discord:alice', 10),
        await store.listByState(['delivered']),
      ]) {
        expect(listed).toEqual([record]);
        expect(Object.values(listed[0] ?? {}).some((value) => value instanceof Uint8Array)).toBe(false);
      }
    });

    it('removes the kept image with its job when retention purges it, and only then', async () => {
      const fixture = await open({ dailyCredits: 50 });
      const { store } = fixture;
      const old = at('2026-10-01T12:00:00Z');
      for (const [id, now] of [['old', old], ['new', noon]] as const) {
        await store.createJob(newJob({ id, now }));
        const lease = await leaseOf(store, id, now);
        await store.markSucceeded(lease, { url: `https://provider.example/${id}.png` }, now + 10);
        await store.markDelivered(lease, `message-${id}`, now + 20, { data: imageBytes(2_048), mimeType: 'image/jpeg' });
      }
      expect(await fixture.countRows('job_images')).toBe(2);
      expect(await store.purgeFinishedBefore(at('2026-10-21T12:00:00Z'))).toBe(1);
      expect(await store.keptImage('old')).toBeUndefined();
      expect((await store.keptImage('new'))?.mimeType).toBe('image/jpeg');
      expect(await fixture.countRows('job_images')).toBe(1);
      await expectBalanced(store);
    });
  });
}
