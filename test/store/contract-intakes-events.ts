// Contract: leased intakes, event ids remembered across stores, and the signal that another store added work.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Intake } from '../../src/core/job-store.ts';
import type { Platform } from '../../src/core/request.ts';
import { useFixtures, type OpenStoreFixture } from './store-contract.ts';
import { at, newJob } from './store-fixtures.ts';

const start = at('2026-11-21T12:00:00Z');
const leaseMs = 30_000;

function intake(dedupeKey: string, platform: Platform, createdAt: number, payload?: unknown): Intake {
  return {
    dedupeKey,
    origin: { platform, channelId: 'channel-1', messageId: `pending-${dedupeKey}` },
    prompt: `a prompt for ${dedupeKey}`,
    ...(payload === undefined ? {} : { payload }),
    createdAt,
  };
}

/** Waits until `condition` holds, checking every few milliseconds, or fails after `timeoutMs`. */
async function eventually(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** The intake and event tests, run against the store `openFixture` opens. */
export function describeIntakeAndEventContract(openFixture: OpenStoreFixture): void {
  describe('intakes and events', () => {
    const open = useFixtures(openFixture);

    it('records an intake leased to its process, once, and not when the job exists already', async () => {
      const { store } = await open();
      const payload = { options: { prompt: 'cat', aspect: '16:9' }, attachments: [{ id: 'file-1', url: 'https://files.slack.com/f' }] };
      const holder = { owner: 'process-a', now: start, leaseMs };
      expect(await store.recordIntake(intake('event-1', 'slack', start, payload), holder)).toEqual({ dedupeKey: 'event-1', owner: 'process-a', epoch: 1 });
      expect(await store.recordIntake(intake('event-1', 'slack', start + 1), { ...holder, owner: 'process-b' })).toBeUndefined();
      await store.recordIntake(intake('event-2', 'discord', start + 2), holder);
      expect(await store.listIntakes()).toEqual([intake('event-1', 'slack', start, payload), intake('event-2', 'discord', start + 2)]);

      // The job made from the request removes its intake in the same transaction; a retried event records none.
      await store.createJob(newJob({ id: 'job-1', dedupeKey: 'event-1', now: start + 3 }));
      expect((await store.listIntakes()).map((entry) => entry.dedupeKey)).toEqual(['event-2']);
      expect(await store.recordIntake(intake('event-1', 'slack', start + 4), holder)).toBeUndefined();
      await store.clearIntake('event-2');
      await store.clearIntake('never-recorded');
      expect(await store.listIntakes()).toEqual([]);
    });

    it('lets another process take an intake over only once its lease expired, fencing the old holder', async () => {
      const fixture = await open();
      const { store } = fixture;
      const other = await fixture.openAnother();
      const payload = { command: 'imagine', references: ['F01'] };
      const first = await store.recordIntake(intake('event-1', 'slack', start, payload), { owner: 'process-a', now: start, leaseMs });
      await store.recordIntake(intake('event-2', 'discord', start + 1), { owner: 'process-a', now: start + 1, leaseMs });
      await store.recordIntake(intake('event-3', 'slack', start + 2), { owner: 'process-a', now: start + 2, leaseMs });
      if (first === undefined) throw new Error('the intake was not recorded');
      const claimRequest = { owner: 'process-b', leaseMs, platforms: ['slack'] as Platform[], limit: 10 };

      expect(await other.claimIntakes({ ...claimRequest, now: start + leaseMs - 1 })).toEqual([]);
      expect(await store.renewLeases('process-a', [first], start + 10_000, leaseMs)).toEqual(new Set(['event-1']));
      const taken = await other.claimIntakes({ ...claimRequest, now: start + leaseMs + 2 });
      expect(taken).toEqual([
        { intake: intake('event-3', 'slack', start + 2), lease: { dedupeKey: 'event-3', owner: 'process-b', epoch: 2 } },
      ]);
      const later = await other.claimIntakes({ ...claimRequest, now: start + 10_000 + leaseMs, limit: 1 });
      expect(later).toEqual([{ intake: intake('event-1', 'slack', start, payload), lease: { dedupeKey: 'event-1', owner: 'process-b', epoch: 2 } }]);
      expect(await store.renewLeases('process-a', [first], start + 40_001, leaseMs)).toEqual(new Set());
      expect(await other.renewLeases('process-b', later.map((entry) => entry.lease), start + 40_001, leaseMs)).toEqual(new Set(['event-1']));
      // Held again: nothing left to take over on Slack, and the Discord intake is not this process's to take.
      expect(await other.claimIntakes({ ...claimRequest, now: start + 40_002 })).toEqual([]);
    });

    it('remembers an event id across stores until it expires', async () => {
      const fixture = await open();
      const other = await fixture.openAnother();
      expect(await fixture.store.rememberEvent('slack:Ev1', start, 60_000)).toBe(true);
      expect(await other.rememberEvent('slack:Ev1', start + 10, 60_000)).toBe(false);
      expect(await fixture.store.rememberEvent('slack:Ev1', start + 59_999, 60_000)).toBe(false);
      expect(await other.rememberEvent('slack:Ev2', start + 20, 60_000)).toBe(true);
      // Expired: the id is new again, and then remembered for another period.
      expect(await other.rememberEvent('slack:Ev1', start + 60_000, 60_000)).toBe(true);
      expect(await fixture.store.rememberEvent('slack:Ev1', start + 60_001, 60_000)).toBe(false);
      expect(await fixture.store.rememberEvent('slack:Ev1', start + 120_000, 60_000)).toBe(true);
    });

    it('tells a watching store soon after another store created a job, and stops when unsubscribed', async () => {
      const fixture = await open();
      const other = await fixture.openAnother();
      let calls = 0;
      const unsubscribe = fixture.store.watchForWork(() => calls++);
      try {
        // Long enough for a LISTEN to be in place or a change check to have a baseline; calls made meanwhile do not count.
        await sleep(500);
        calls = 0;
        await other.createJob(newJob({ id: 'job-1', now: start }));
        await eventually(() => calls > 0, 3_000, 'the work signal');
      } finally {
        unsubscribe();
      }
      await sleep(300);
      calls = 0;
      await other.createJob(newJob({ id: 'job-2', now: start + 1 }));
      await sleep(800);
      expect(calls).toBe(0);
    });
  });
}
