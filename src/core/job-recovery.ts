// Intake takeover: requests a process acknowledged but died before turning into jobs are finished by whoever finds them.
import type { Logger } from '../log.ts';
import type { Clock } from './clock.ts';
import type { Delivery } from './delivery.ts';
import type { ClaimedIntake, IntakeStore } from './job-store.ts';
import type { LeaseKeeper } from './lease-keeper.ts';
import type { Platform } from './request.ts';

/** What taking intakes over needs; owned by the runner. */
export interface IntakeTakeoverContext {
  /** The shared store the intakes are claimed from and cleared in. */
  store: IntakeStore;
  /** The platforms' deliveries: only their intakes are claimed, and they finish or end them. */
  deliveries: ReadonlyMap<Platform, Delivery>;
  /** Keeps the claimed intakes' leases while they are finished. */
  leases: LeaseKeeper;
  /** This process's name on its leases. */
  owner: string;
  /** How long a claim lasts without renewal. */
  leaseMs: number;
  /** When the claimed leases start. */
  clock: Clock;
  /** Where each intake's outcome is reported. */
  logger: Logger;
  /** True once the runner stops: no pass starts, and a failure is not turned into an apology (the next process finishes it). */
  isStopping(): boolean;
}

/** Takes over interrupted intakes, one pass at a time. */
export interface IntakeTakeover {
  /**
   * Claims intakes whose lease expired (their process died) on this process's platforms and
   * finishes them; while a pass runs, a call returns that pass instead of starting another.
   */
  run(): Promise<void>;
}

/** Intakes finished at once per pass; the rest are claimed by later passes (here or elsewhere). */
const intakesPerPass = 16;

/**
 * Ends one interrupted request: the adapter finishes it from its stored payload when it can
 * (downloads the attachments again, starts the job with the same dedupe key, answers the original
 * pending message). Otherwise, or when that fails, the pending message is ended with an apology
 * and no charge. The intake is cleared either way, so it is never handled twice.
 */
async function finishIntake(context: IntakeTakeoverContext, claimed: ClaimedIntake): Promise<void> {
  const { intake } = claimed;
  const delivery = context.deliveries.get(intake.origin.platform);
  const log = context.logger.child({ dedupeKey: intake.dedupeKey, epoch: claimed.lease.epoch });
  try {
    if (delivery?.resumeIntake && intake.payload !== undefined) {
      log.info('finishing a request another process acknowledged');
      await delivery.resumeIntake(intake);
      return;
    }
    log.info('ending a request that cannot be finished');
    await delivery?.interrupted?.(intake.origin, { prompt: intake.prompt });
    await context.store.clearIntake(intake.dedupeKey);
  } catch (error) {
    if (context.isStopping()) return;
    log.warn({ err: error }, 'could not finish an interrupted request; ending it');
    try {
      await delivery?.interrupted?.(intake.origin, { prompt: intake.prompt });
      await context.store.clearIntake(intake.dedupeKey);
    } catch (endError) {
      log.warn({ err: endError }, 'could not end an interrupted request; another pass will retry');
    }
  } finally {
    context.leases.forget(intake.dedupeKey);
  }
}

/** Creates the takeover over `context`; the runner owns it, so the pass in progress is its state, not the module's. */
export function createIntakeTakeover(context: IntakeTakeoverContext): IntakeTakeover {
  let passInProgress: Promise<void> | undefined;

  async function pass(): Promise<void> {
    if (context.isStopping() || context.deliveries.size === 0) return;
    const now = context.clock.now();
    const claimed = await context.store.claimIntakes({
      owner: context.owner,
      now,
      leaseMs: context.leaseMs,
      platforms: [...context.deliveries.keys()],
      limit: intakesPerPass,
    });
    for (const entry of claimed) context.leases.hold(entry.lease, now);
    await Promise.allSettled(claimed.map((entry) => finishIntake(context, entry)));
  }

  return {
    run() {
      passInProgress ??= pass().finally(() => {
        passInProgress = undefined;
      });
      return passInProgress;
    },
  };
}
