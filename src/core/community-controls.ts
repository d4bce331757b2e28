// Community governance behind the service: settings changes, the moderation log, cancel from any process, and /show from the kept image.
import type { Logger } from '../log.ts';
import type { BotMetrics } from './bot-metrics.ts';
import { sleep, type Clock } from './clock.ts';
import type { CommunityGate } from './community-gate.ts';
import type { CommunityStore } from './community-store.ts';
import type { Delivery } from './delivery.ts';
import type { CommunityControls, OperatorDefaults, ProviderChoice } from './imagine-service.ts';
import { requesterKey } from './imagine-service.ts';
import type { JobCancellation } from './job-cancellation.ts';
import type { JobHistory } from './job-history.ts';
import { findJobByReference } from './job-reference.ts';
import type { JobRecord, JobStore } from './job-store.ts';
import { toJobView } from './job-view.ts';
import type { KeptImages } from './kept-image.ts';
import type { LeaseKeeper } from './lease-keeper.ts';
import type { QuotaPolicy } from './quota-policy.ts';
import type { Platform, Requester } from './request.ts';
import { checkSettingsChange } from './settings-change-check.ts';

export interface CommunityControlsOptions {
  store: CommunityStore & JobCancellation & KeptImages & JobHistory & Pick<JobStore, 'get'>;
  gate: CommunityGate;
  leases: LeaseKeeper;
  deliveryFor(platform: Platform): Delivery | undefined;
  policy: QuotaPolicy;
  providers(): ProviderChoice[];
  operatorDefaults: OperatorDefaults;
  /** Whether `job`'s model can make a 4K version (the 4K button). */
  canUpscale(job: JobRecord): boolean;
  clock: Clock;
  logger: Logger;
  metrics: BotMetrics;
}

/** Most history and log entries one call returns, whatever is asked: they are read in chat. */
const maximumListing = 50;

/**
 * How long a cancel waits before ending the message when another process may hold the job: that
 * process learns of the cancel within half a second (`watchForCancels`), drops its unsent progress
 * edits (`Delivery.abandoned`) and lets one in flight finish, so the "Cancelled" text is never
 * overwritten by a late progress update.
 */
const crossProcessSettleMs = 1500;

function bounded(limit: number | undefined, fallback: number): number {
  return Math.min(Math.max(Math.trunc(limit ?? fallback), 1), maximumListing);
}

/** True when `actor` may act on `job` as an admin: ADMIN_USER_IDS, or an admin of the community the job belongs to. */
function administers(policy: QuotaPolicy, actor: Requester & { isCommunityAdmin: boolean }, job: JobRecord): boolean {
  if (policy.isAdmin(requesterKey(actor))) return true;
  const actorCommunity = actor.communityId === undefined ? undefined : `${actor.platform}:${actor.communityId}`;
  return actor.isCommunityAdmin && actorCommunity !== undefined && actorCommunity === job.communityKey;
}

export function createCommunityControls(options: CommunityControlsOptions): CommunityControls {
  const { store, gate, leases, policy, clock, logger, metrics } = options;

  return {
    async screen(request) {
      return gate.screen(request, await gate.viewOf(request.requester));
    },
    communitySettings: (communityKey) => store.communitySettings(communityKey),
    async changeSettings(communityKey, change, actor) {
      const current = await store.communitySettings(communityKey);
      const checked = checkSettingsChange(change, current, options.providers());
      const settings = await store.changeCommunitySettings(communityKey, checked, requesterKey(actor), clock.now());
      logger.info({ community: communityKey, setting: checked.setting }, 'community settings changed');
      return settings;
    },
    settingsChanges: (communityKey, limit) => store.settingsChanges(communityKey, bounded(limit, 10)),
    moderationLog: (filter) => store.moderationEvents({ ...filter, limit: bounded(filter.limit, 15) }),
    operatorDefaults: () => options.operatorDefaults,

    async cancel(jobReference, actor) {
      const actorKey = requesterKey(actor);
      const job = await findJobByReference(store, jobReference, actorKey);
      if (job === undefined) return { kind: 'unknown' };
      if (job.requesterKey !== actorKey && !administers(policy, actor, job)) return { kind: 'not_allowed', job: toJobView(job) };
      const heldHere = leases.holds(job.id);
      const outcome = await store.cancelJob(job.id, actorKey, clock.now());
      if (outcome.kind === 'unknown') return outcome;
      if (outcome.kind === 'finished') return { kind: 'finished', job: toJobView(outcome.job) };
      // This process stops at once; another holder stops when its cancel watch fires.
      leases.drop(job.id);
      metrics.jobFinished(job.provider, 'cancelled');
      metrics.credits('refunded', outcome.refunded);
      logger.info({ jobId: job.id, cancelledBy: actorKey === job.requesterKey ? 'requester' : 'admin' }, 'job cancelled');
      const view = toJobView(outcome.job);
      if (!heldHere) await sleep(clock, crossProcessSettleMs).catch(() => undefined);
      const delivery = options.deliveryFor(job.origin.platform);
      try {
        await delivery?.cancelled(job.origin, {
          summary: view.summary,
          cancelledByUserId: actor.userId,
          byRequester: actorKey === job.requesterKey,
          refunded: outcome.refunded,
        });
      } catch (error) {
        logger.warn({ jobId: job.id, err: error }, 'could not end the message of a cancelled job');
      }
      return { kind: 'cancelled', job: view, refunded: outcome.refunded, cancelledBy: actor.userId };
    },

    async showJob(jobReference, requester) {
      const key = requesterKey(requester);
      const job = await findJobByReference(store, jobReference, key);
      if (job === undefined) return { kind: 'unknown' };
      const requesterCommunity = requester.communityId === undefined ? null : `${requester.platform}:${requester.communityId}`;
      // Another community's images stay there: only their requester may bring them elsewhere.
      if (job.requesterKey !== key && job.communityKey !== requesterCommunity) return { kind: 'unknown' };
      const view = toJobView(job);
      if (job.state !== 'delivered') return { kind: 'no_image', job: view };
      const image = await store.keptImage(job.id);
      if (image === undefined) return { kind: 'no_image', job: view };
      return { kind: 'found', job: view, image, canUpscale: options.canUpscale(job) };
    },
  };
}
