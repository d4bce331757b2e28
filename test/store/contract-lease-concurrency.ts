// Contract: four stores on one database claim in a loop while jobs are created and finished; no job is claimed twice, no cap exceeded.
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { ClaimedJob } from '../../src/core/job-store.ts';
import type { ProviderId } from '../../src/core/request.ts';
import type { BotStore } from '../../src/store/index.ts';
import { expectBalanced, useFixtures, type OpenStoreFixture } from './store-contract.ts';
import { at, newJob, seededRandom } from './store-fixtures.ts';

const maxPerUser = 2;
const providerLimits: Partial<Record<ProviderId, number>> = { mock: 3, xenodia: 2 };
const users = ['discord:u1', 'discord:u2', 'slack:U3', 'slack:U4', 'discord:u5', 'cli:u6'];
const totalJobs = 120;
const failure = { code: 'provider_failed', message: 'random failure', retryable: true } as const;

/**
 * What the test knows is in flight. A slot is counted only between the claim's return and the start of
 * the write that frees it, so the database always holds at least as many: a count above a cap here is
 * a cap exceeded in the database.
 */
class SlotWatch {
  private readonly users = new Map<string, number>();
  private readonly providers = new Map<string, number>();
  readonly peaks = { user: 0, provider: new Map<string, number>() };
  readonly violations: string[] = [];

  take(job: ClaimedJob['job']): void {
    const user = (this.users.get(job.requesterKey) ?? 0) + 1;
    const provider = (this.providers.get(job.provider) ?? 0) + 1;
    this.users.set(job.requesterKey, user);
    this.providers.set(job.provider, provider);
    this.peaks.user = Math.max(this.peaks.user, user);
    this.peaks.provider.set(job.provider, Math.max(this.peaks.provider.get(job.provider) ?? 0, provider));
    if (user > maxPerUser) this.violations.push(`${job.requesterKey} had ${user} jobs in flight`);
    if (provider > (providerLimits[job.provider] ?? 0)) this.violations.push(`${job.provider} had ${provider} jobs in flight`);
  }

  freeProvider(job: ClaimedJob['job']): void {
    this.providers.set(job.provider, (this.providers.get(job.provider) ?? 0) - 1);
  }

  freeUser(job: ClaimedJob['job']): void {
    this.users.set(job.requesterKey, (this.users.get(job.requesterKey) ?? 0) - 1);
  }
}

/** The concurrent-claim test, run against the store `openFixture` opens. */
export function describeLeaseConcurrencyContract(openFixture: OpenStoreFixture): void {
  describe('concurrent claims', () => {
    const open = useFixtures(openFixture);

    it('never claims a job twice nor exceeds a cap when four stores claim while jobs come and go', { timeout: 60_000 }, async () => {
      const fixture = await open({ dailyCredits: 1_000 });
      const stores: BotStore[] = [fixture.store, ...(await Promise.all([1, 2, 3].map(() => fixture.openAnother())))];
      const start = at('2026-11-21T12:00:00Z');
      let tick = 0;
      // One shared clock that only moves forward; leases last an hour, so nothing expires and every claim is a first claim.
      const now = () => start + tick++;
      const watch = new SlotWatch();
      const capsReached = () => watch.peaks.user >= maxPerUser && (watch.peaks.provider.get('mock') ?? 0) >= (providerLimits.mock ?? 0);
      const claimedIds = new Map<string, string>();
      let finished = 0;
      let created = 0;

      const create = async () => {
        const random = seededRandom(7);
        for (let index = 0; index < totalJobs; index++) {
          const store = stores[index % stores.length] as BotStore;
          const requesterKey = users[Math.floor(random() * users.length)] as string;
          const provider: ProviderId = random() < 0.6 ? 'mock' : 'xenodia';
          await store.createJob(newJob({ id: `job-${index}`, requesterKey, provider, now: now() }));
          created++;
          if (random() < 0.5) await nextTurn();
        }
      };

      const work = async (store: BotStore, owner: string, seed: number) => {
        const random = seededRandom(seed);
        for (let idlePasses = 0; finished < totalJobs; ) {
          const { claimed } = await store.claimJobs({
            owner, now: now(), leaseMs: 3_600_000, maxPerUser,
            providerLimit: (provider) => providerLimits[provider] ?? 0,
            platforms: ['discord', 'slack', 'cli'], limit: 1 + Math.floor(random() * 3),
          });
          for (const { job } of claimed) {
            const earlier = claimedIds.get(job.id);
            if (earlier !== undefined) watch.violations.push(`${job.id} claimed by ${earlier} and ${owner}`);
            claimedIds.set(job.id, owner);
            watch.take(job);
          }
          if (claimed.length === 0) {
            if (++idlePasses > 20_000) throw new Error(`${owner} gave up with ${finished}/${totalJobs} finished, ${created} created`);
            await sleep(1);
            continue;
          }
          await Promise.all(claimed.map(async ({ job, lease }) => {
            await store.markSubmitting(lease, now());
            await nextTurn();
            if (random() < 0.2) {
              watch.freeProvider(job);
              watch.freeUser(job);
              await store.markFailed(lease, failure, now());
            } else {
              await store.markSubmitted(lease, `task-${job.id}`, now());
              if (random() < 0.5) await store.markRunning(lease, 50, now());
              // Several milliseconds at the provider, as a real one takes seconds: slots stay taken while others
              // claim. Until the caps have been reached once, a job stays up to 50 ms longer, so that even on a
              // loaded machine the caps are what holds jobs back (the test would prove nothing otherwise).
              await sleep(4 + Math.floor(random() * 6));
              for (let waited = 0; waited < 50 && !capsReached(); waited += 1) await sleep(1);
              watch.freeProvider(job);
              await store.markSucceeded(lease, { url: `https://provider.example/${job.id}.png` }, now());
              await nextTurn();
              watch.freeUser(job);
              await store.markDelivered(lease, `message-${job.id}`, now());
            }
            finished++;
          }));
        }
      };

      await Promise.all([create(), ...stores.map((store, index) => work(store, `process-${index}`, 100 + index))]);
      expect(watch.violations).toEqual([]);
      expect(claimedIds.size).toBe(totalJobs);
      // Every process did some of the work, and the caps were reached (so they were what held jobs back).
      expect(new Set(claimedIds.values()).size).toBe(stores.length);
      expect(watch.peaks.user).toBe(maxPerUser);
      expect(watch.peaks.provider.get('mock')).toBe(providerLimits.mock);
      const unfinished = await fixture.store.listByState(['queued', 'submitted', 'running', 'succeeded']);
      expect(unfinished.map((job) => job.id)).toEqual([]);
      await expectBalanced(fixture.store);
    });
  });
}
