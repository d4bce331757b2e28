// One claim pass of this process: takes work from the shared line under the caps, launches it, and tells waiting users their new places.
import type { BotMetrics } from './bot-metrics.ts';
import type { ClaimedJob, ClaimOutcome, JobStore, QueuePosition } from './job-store.ts';
import type { LeaseKeeper } from './lease-keeper.ts';
import { announceMoves, type QueueAnnouncementContext } from './queue-announcements.ts';
import type { ProviderId } from './request.ts';

/** What a claim pass needs from the runner that owns it. */
export interface ClaimPassContext extends QueueAnnouncementContext {
  /** The shared store: claims jobs, and reads back the waiting jobs whose place is announced. */
  store: Pick<JobStore, 'claimJobs' | 'get'>;
  /** Keeps the leases of claimed jobs from the moment the pass was sent. */
  leases: LeaseKeeper;
  /** This process's name on its leases. */
  owner: string;
  /** How long a claim lasts without renewal. */
  leaseMs: number;
  /** Jobs one user may have in flight, over every process. */
  maxPerUser: number;
  /** Jobs one provider may have in flight, over every process. */
  providerLimit(provider: ProviderId): number;
  /** Where the shared line is counted as each pass saw it. */
  metrics: BotMetrics;
  /** Aborted when the runner stops: no pass runs after that. */
  signal: AbortSignal;
  /** How many more jobs this process may take on now (its maximum less the jobs it runs). */
  room(): number;
  /** Starts running a claimed job; `leaseSignal` is aborted when its lease is lost. */
  launch(claimed: ClaimedJob, leaseSignal: AbortSignal): void;
  /** Asks the claim loop for another pass (coalesced with any other request). */
  requestPass(): void;
  /** Runs after every pass that reached the store, once its jobs are launched (intake takeover, idle waiters). */
  afterPass(): void;
}

/** The runner's claim pass and what the last one saw. */
export interface ClaimPass {
  /** Runs one pass; undefined when the runner is stopping or no platform can be delivered to yet. */
  run(): Promise<ClaimOutcome | undefined>;
  /** Waiting jobs as the last pass saw them (for `whenIdle` and the first place told at `start`). */
  readonly positions: ReadonlyMap<string, QueuePosition>;
}

/** Creates the pass over `context`; nothing runs until `run` is called (by the claim loop). */
export function createClaimPass(context: ClaimPassContext): ClaimPass {
  let lastPositions: ReadonlyMap<string, QueuePosition> = new Map();

  async function run(): Promise<ClaimOutcome | undefined> {
    const { deliveries, clock, leases, logger } = context;
    if (context.signal.aborted || deliveries.size === 0) return undefined;
    const platforms = [...deliveries.keys()];
    const room = context.room();
    // The leases run from when the pass was sent, not from when its answer arrived.
    const sentAt = clock.now();
    const outcome = await context.store.claimJobs({
      owner: context.owner,
      now: sentAt,
      leaseMs: context.leaseMs,
      maxPerUser: context.maxPerUser,
      providerLimit: context.providerLimit,
      platforms,
      limit: Math.max(0, room),
    });
    lastPositions = outcome.positions;
    context.metrics.queueObserved(outcome.positions.values());
    for (const claimed of outcome.claimed) {
      const signal = leases.hold(claimed.lease, sentAt);
      if (claimed.takenOver) logger.info({ jobId: claimed.job.id, state: claimed.job.state, epoch: claimed.lease.epoch }, 'took over a job');
      context.launch(claimed, signal);
    }
    announceMoves(context, outcome.moved);
    // A full pass may have left claimable work behind: look again once these are under way.
    if (outcome.claimed.length > 0 && outcome.claimed.length >= room) context.requestPass();
    context.afterPass();
    return outcome;
  }

  return {
    run,
    get positions() {
      return lastPositions;
    },
  };
}
