// Random job and credit operations against one store, with a tally of what each (account, day) should hold.
import { BotError } from '../../src/core/errors.ts';
import type { SqliteStore } from '../../src/store/index.ts';
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
  /** Shared by runners on one connection, so `available` stays exact. */
  tallies?: Record<string, AccountTally>;
}

export interface OpenJob {
  id: string;
  requesterKey: string;
  cost: number;
}

export interface RandomRunReport {
  tallies: Record<string, AccountTally>;
  counts: Record<'created' | 'duplicates' | 'refused' | 'delivered' | 'failed' | 'pairs' | 'grants' | 'resets', number>;
  openJobs: OpenJob[];
}

interface TrackedJob extends OpenJob {
  communityKey: string | undefined;
  communityCost: number;
  quotaDay: string;
  dedupeKey: string;
}

const failure = { code: 'provider_failed', message: 'random failure', retryable: true } as const;

/** Runs `options.operations` random operations and reports what the store should now hold. */
export async function runRandomOperations(store: SqliteStore, options: RandomRunOptions): Promise<RandomRunReport> {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const tallies = options.tallies ?? {};
  const counts: RandomRunReport['counts'] = { created: 0, duplicates: 0, refused: 0, delivered: 0, failed: 0, pairs: 0, grants: 0, resets: 0 };
  const open: TrackedJob[] = [];
  const dedupeKeys: Array<{ key: string; jobId: string }> = [];
  let now = options.startAt;

  const tally = (scope: 'user' | 'community', key: string, day: string): AccountTally => {
    const name = `${scope}|${key}|${day}`;
    const allowance = scope === 'user' ? options.dailyCredits : (options.communityDailyCredits ?? 0);
    tallies[name] ??= { reserved: 0, committed: 0, refunded: 0, granted: 0, resets: 0, available: allowance };
    return tallies[name];
  };
  const hold = (job: Pick<TrackedJob, 'requesterKey' | 'communityKey' | 'cost' | 'communityCost' | 'quotaDay'>) => {
    const user = tally('user', job.requesterKey, job.quotaDay);
    user.reserved += job.cost;
    user.available -= job.cost;
    if (job.communityKey !== undefined && job.communityCost > 0) {
      const community = tally('community', job.communityKey, job.quotaDay);
      community.reserved += job.communityCost;
      community.available -= job.communityCost;
    }
  };
  const release = (kind: 'commit' | 'refund', job: Pick<TrackedJob, 'requesterKey' | 'communityKey' | 'cost' | 'communityCost' | 'quotaDay'>) => {
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
  const takeOpen = (): TrackedJob | undefined => open.splice(Math.floor(random() * open.length), 1)[0];
  const isRefusal = (error: unknown) => error instanceof BotError && error.code === 'quota_exceeded';

  for (let step = 0; step < options.operations; step++) {
    now += Math.floor(random() * options.stepMs);
    const choice = random();
    const requesterKey = pick(options.users);
    const unlimited = options.isAdmin(requesterKey);
    if (choice < 0.42) {
      const reuse = dedupeKeys.length > 0 && random() < 0.1 ? pick(dedupeKeys) : undefined;
      const id = `${options.label}-${step}`;
      const communityKey = random() < 0.6 ? pick(options.communities) : undefined;
      const resolution = pick(['1K', '2K', '4K'] as const);
      try {
        const outcome = store.createJob(newJob({
          id, requesterKey, resolution, unlimited, now, dedupeKey: reuse?.key ?? `event-${id}`,
          ...(communityKey === undefined ? {} : { communityKey }),
        }));
        if (reuse !== undefined) {
          if (!outcome.duplicate || outcome.job.id !== reuse.jobId) throw new Error(`dedupe key ${reuse.key} created a second job`);
          counts.duplicates++;
        } else {
          const cost = outcome.job.cost;
          const capped = communityKey !== undefined && options.communityDailyCredits !== undefined && !unlimited;
          const tracked: TrackedJob = {
            id, requesterKey, cost, communityKey, communityCost: capped ? cost : 0, quotaDay: outcome.job.quotaDay, dedupeKey: `event-${id}`,
          };
          hold(tracked);
          open.push(tracked);
          dedupeKeys.push({ key: tracked.dedupeKey, jobId: id });
          counts.created++;
        }
      } catch (error) {
        if (!isRefusal(error) || reuse !== undefined) throw error;
        counts.refused++;
      }
    } else if (choice < 0.62 && open.length > 0) {
      const job = takeOpen() as TrackedJob;
      store.markSubmitted(job.id, `task-${job.id}`, now);
      if (random() < 0.5) store.markRunning(job.id, Math.floor(random() * 100), now);
      store.markSucceeded(job.id, { url: `https://provider.example/${job.id}.png` }, now);
      store.markDelivered(job.id, `message-${job.id}`, now);
      if (random() < 0.2) store.markDelivered(job.id, `message-again-${job.id}`, now);
      release('commit', job);
      counts.delivered++;
    } else if (choice < 0.78 && open.length > 0) {
      const job = takeOpen() as TrackedJob;
      if (random() < 0.5) store.markSubmitted(job.id, null, now);
      const { refunded } = store.markFailed(job.id, failure, now);
      if (refunded !== job.cost) throw new Error(`job ${job.id} refunded ${refunded}, expected ${job.cost}`);
      if (random() < 0.3 && store.markFailed(job.id, failure, now).refunded !== 0) throw new Error(`job ${job.id} refunded twice`);
      release('refund', job);
      counts.failed++;
    } else if (choice < 0.84) {
      const amount = 1 + Math.floor(random() * 3);
      store.grant(requesterKey, amount, 'discord:admin', now);
      const account = tally('user', requesterKey, new Date(now).toISOString().slice(0, 10));
      account.granted += amount;
      account.available += amount;
      counts.grants++;
    } else if (choice < 0.88 && options.resetUsers.length > 0) {
      const target = pick(options.resetUsers);
      store.reset(target, 'discord:admin', now);
      const account = tally('user', target, new Date(now).toISOString().slice(0, 10));
      account.resets++;
      account.available = options.dailyCredits;
      counts.resets++;
    } else {
      const communityKey = random() < 0.5 ? pick(options.communities) : null;
      try {
        const reservation = store.reserveCredits({ requesterKey, communityKey, cost: 1 + Math.floor(random() * 2), unlimited, jobId: null, now });
        const held = { ...reservation, communityKey: reservation.communityKey ?? undefined };
        hold(held);
        const kind = random() < 0.5 ? 'commit' : 'refund';
        if (kind === 'commit') store.commitCredits(reservation, now);
        else store.refundCredits(reservation, now);
        release(kind, held);
        counts.pairs++;
      } catch (error) {
        if (!isRefusal(error)) throw error;
        counts.refused++;
      }
    }
    if (options.pause !== undefined) await options.pause();
  }
  return { tallies, counts, openJobs: open.map(({ id, requesterKey, cost }) => ({ id, requesterKey, cost })) };
}
