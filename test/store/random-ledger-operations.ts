// Random job and credit operations against one store, with a tally of what each (account, day) should hold.
import { BotError } from '../../src/core/errors.ts';
import type { JobLease, JobRecord } from '../../src/core/job-store.ts';
import type { BotStore } from '../../src/store/index.ts';
import { newJob, seededRandom } from './store-fixtures.ts';

/** What one runner did to one account day (`user|discord:1|2026-11-21`, `community|discord:g1|…`). */
export interface AccountTally {
  reserved: number;
  committed: number;
  refunded: number;
  granted: number;
  resets: number;
  /** Exact available credits when every change went through this tally in order (one connection). */
  available: number;
}

/** How one runner behaves: which users, accounts and times it uses, and how it shares a store with other runners. */
export interface RandomRunOptions {
  /** Prefix making job ids unique per runner. */
  label: string;
  seed: number;
  operations: number;
  users: readonly string[];
  /** Users this runner may reset (others keep a tally that sums across connections). */
  resetUsers: readonly string[];
  communities: readonly string[];
  /** Time of the first operation; each operation advances it by up to `stepMs`. */
  startAt: number;
  stepMs: number;
  dailyCredits: number;
  communityDailyCredits: number | undefined;
  isAdmin(requesterKey: string): boolean;
  /** Awaited between operations so several runners on one connection interleave. */
  pause?: () => Promise<void>;
  /** Shared by runners on one store, so `available` stays exact (with `lock`). */
  tallies?: Record<string, AccountTally>;
  /**
   * Taken around each operation by runners sharing `tallies`, exclusively for a reset: a reset sets a
   * balance rather than changing it, so its tally is exact only if no other operation overlaps it.
   * Every other change adds up the same in any order, so those operations overlap freely.
   */
  lock?: (exclusive: boolean) => Promise<() => void>;
}

/** What a runner did, for checking the store afterwards. */
export interface RandomRunReport {
  tallies: Record<string, AccountTally>;
  counts: Record<'created' | 'duplicates' | 'refused' | 'delivered' | 'failed' | 'pairs' | 'grants' | 'resets', number>;
}

/** Where a job's credits are held, as the tally tracks them. */
interface Holding {
  requesterKey: string;
  communityKey: string | undefined;
  cost: number;
  communityCost: number;
  quotaDay: string;
}

/** A job this runner holds the lease of. */
interface HeldJob {
  job: JobRecord;
  lease: JobLease;
}

/** Long enough that no runner's clock ever sees another runner's lease expire: jobs change hands only by claims. */
const leaseMs = 10 * 86_400_000;

const failure = { code: 'provider_failed', message: 'random failure', retryable: true } as const;

/**
 * Runs `options.operations` random operations and reports what the store should now hold. Jobs are
 * finished by whichever runner claimed them (claims take the oldest waiting jobs of every runner on
 * the database), so the tallies of runners on separate connections only add up together.
 */
export async function runRandomOperations(store: BotStore, options: RandomRunOptions): Promise<RandomRunReport> {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const tallies = options.tallies ?? {};
  const counts: RandomRunReport['counts'] = { created: 0, duplicates: 0, refused: 0, delivered: 0, failed: 0, pairs: 0, grants: 0, resets: 0 };
  const held: HeldJob[] = [];
  const dedupeKeys: Array<{ key: string; jobId: string }> = [];
  let now = options.startAt;

  const tally = (scope: 'user' | 'community', key: string, day: string): AccountTally => {
    const name = `${scope}|${key}|${day}`;
    const allowance = scope === 'user' ? options.dailyCredits : (options.communityDailyCredits ?? 0);
    tallies[name] ??= { reserved: 0, committed: 0, refunded: 0, granted: 0, resets: 0, available: allowance };
    return tallies[name];
  };
  const hold = (job: Holding) => {
    const user = tally('user', job.requesterKey, job.quotaDay);
    user.reserved += job.cost;
    user.available -= job.cost;
    if (job.communityKey !== undefined && job.communityCost > 0) {
      const community = tally('community', job.communityKey, job.quotaDay);
      community.reserved += job.communityCost;
      community.available -= job.communityCost;
    }
  };
  const release = (kind: 'commit' | 'refund', job: Holding) => {
    const accounts: Array<[AccountTally, number]> = [[tally('user', job.requesterKey, job.quotaDay), job.cost]];
    if (job.communityKey !== undefined && job.communityCost > 0) {
      accounts.push([tally('community', job.communityKey, job.quotaDay), job.communityCost]);
    }
    for (const [account, cost] of accounts) {
      if (kind === 'commit') account.committed += cost;
      else {
        account.refunded += cost;
        account.available += cost;
      }
    }
  };
  const holdingOf = (job: JobRecord): Holding => ({
    requesterKey: job.requesterKey,
    communityKey: job.communityKey ?? undefined,
    cost: job.cost,
    // A community's cap holds what the user's day holds whenever a cap applies (admins hold 0 either way).
    communityCost: job.communityKey !== null && options.communityDailyCredits !== undefined ? job.cost : 0,
    quotaDay: job.quotaDay,
  });
  /** A random job this runner holds, claiming a few first when it holds none; undefined when nothing is claimable. */
  const takeHeld = async (now: number): Promise<HeldJob | undefined> => {
    if (held.length === 0) {
      const { claimed } = await store.claimJobs({
        owner: options.label, now, leaseMs, maxPerUser: 1_000_000, providerLimit: () => 1_000_000,
        platforms: ['discord', 'slack', 'cli'], limit: 1 + Math.floor(random() * 3),
      });
      held.push(...claimed);
    }
    return held.splice(Math.floor(random() * held.length), 1)[0];
  };
  const grantSome = async (requesterKey: string, now: number) => {
    const amount = 1 + Math.floor(random() * 3);
    await store.grant(requesterKey, amount, 'discord:admin', now);
    const account = tally('user', requesterKey, new Date(now).toISOString().slice(0, 10));
    account.granted += amount;
    account.available += amount;
    counts.grants++;
  };
  const isRefusal = (error: unknown) => error instanceof BotError && error.code === 'quota_exceeded';

  for (let step = 0; step < options.operations; step++) {
    now += Math.floor(random() * options.stepMs);
    const choice = random();
    // Held for the whole operation, database call and tally update together, when tallies must stay exact.
    const isReset = choice >= 0.84 && choice < 0.88 && options.resetUsers.length > 0;
    const unlock = options.lock === undefined ? undefined : await options.lock(isReset);
    try {
      const requesterKey = pick(options.users);
      const unlimited = options.isAdmin(requesterKey);
      if (choice < 0.42) {
        const reuse = dedupeKeys.length > 0 && random() < 0.1 ? pick(dedupeKeys) : undefined;
        const id = `${options.label}-${step}`;
        const communityKey = random() < 0.6 ? pick(options.communities) : undefined;
        const resolution = pick(['1K', '2K', '4K'] as const);
        try {
          const outcome = await store.createJob(newJob({
            id, requesterKey, resolution, unlimited, now, dedupeKey: reuse?.key ?? `event-${id}`,
            ...(communityKey === undefined ? {} : { communityKey }),
          }));
          if (reuse !== undefined) {
            if (!outcome.duplicate || outcome.job.id !== reuse.jobId) throw new Error(`dedupe key ${reuse.key} created a second job`);
            counts.duplicates++;
          } else {
            hold(holdingOf(outcome.job));
            dedupeKeys.push({ key: `event-${id}`, jobId: id });
            counts.created++;
          }
        } catch (error) {
          if (!isRefusal(error) || reuse !== undefined) throw error;
          counts.refused++;
        }
      } else if (choice < 0.78) {
        const taken = await takeHeld(now);
        if (taken !== undefined) {
          const { job, lease } = taken;
          if (choice < 0.62) {
            await store.markSubmitting(lease, now);
            await store.markSubmitted(lease, `task-${job.id}`, now);
            if (random() < 0.5) await store.markRunning(lease, Math.floor(random() * 100), now);
            await store.markSucceeded(lease, { url: `https://provider.example/${job.id}.png` }, now);
            await store.markDelivered(lease, `message-${job.id}`, now);
            if (random() < 0.2) await store.markDelivered(lease, `message-again-${job.id}`, now);
            release('commit', holdingOf(job));
            counts.delivered++;
          } else if (random() < 0.25) {
            // Cancelled by someone else: the same refund as a failure, and a second cancel changes nothing.
            const outcome = await store.cancelJob(job.id, 'discord:admin', now);
            if (outcome.kind !== 'cancelled' || outcome.refunded !== job.cost) throw new Error(`job ${job.id} cancel: ${JSON.stringify(outcome)}`);
            if ((await store.cancelJob(job.id, 'discord:admin', now)).kind !== 'finished') throw new Error(`job ${job.id} cancelled twice`);
            release('refund', holdingOf(job));
            counts.failed++;
          } else {
            if (random() < 0.5) await store.markSubmitted(lease, null, now);
            const { refunded } = await store.markFailed(lease, failure, now);
            if (refunded !== job.cost) throw new Error(`job ${job.id} refunded ${refunded}, expected ${job.cost}`);
            if (random() < 0.3 && (await store.markFailed(lease, failure, now)).refunded !== 0) throw new Error(`job ${job.id} refunded twice`);
            release('refund', holdingOf(job));
            counts.failed++;
          }
        } else {
          // Nothing to finish: a grant instead, so that every step does something.
          await grantSome(requesterKey, now);
        }
      } else if (choice < 0.84) {
        await grantSome(requesterKey, now);
      } else if (choice < 0.88 && options.resetUsers.length > 0) {
        const target = pick(options.resetUsers);
        await store.reset(target, 'discord:admin', now);
        const account = tally('user', target, new Date(now).toISOString().slice(0, 10));
        account.resets++;
        account.available = options.dailyCredits;
        counts.resets++;
      } else {
        const communityKey = random() < 0.5 ? pick(options.communities) : null;
        try {
          const reservation = await store.reserveCredits({ requesterKey, communityKey, cost: 1 + Math.floor(random() * 2), unlimited, jobId: null, now });
          const held = { ...reservation, communityKey: reservation.communityKey ?? undefined };
          hold(held);
          const kind = random() < 0.5 ? 'commit' : 'refund';
          if (kind === 'commit') await store.commitCredits(reservation, now);
          else await store.refundCredits(reservation, now);
          release(kind, held);
          counts.pairs++;
        } catch (error) {
          if (!isRefusal(error)) throw error;
          counts.refused++;
        }
      }
    } finally {
      unlock?.();
    }
    if (options.pause !== undefined) await options.pause();
  }
  return { tallies, counts };
}
