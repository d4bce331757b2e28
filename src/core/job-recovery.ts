// Intake takeover: requests a process acknowledged but died before turning into jobs are finished by whoever finds them.
import type { Logger } from '../log.ts';
import type { Clock } from './clock.ts';
import type { Delivery } from './delivery.ts';
import type { ClaimedIntake, IntakeStore } from './job-store.ts';
import type { LeaseKeeper } from './lease-keeper.ts';
import type { Platform } from './request.ts';

export interface IntakeTakeoverContext {
  store: IntakeStore;
  deliveries: ReadonlyMap<Platform, Delivery>;
  leases: LeaseKeeper;
  owner: string;
  leaseMs: number;
  clock: Clock;
  logger: Logger;
  isStopping(): boolean;
}

/** Intakes finished at once per pass; the rest are claimed by later passes (here or elsewhere). */
const intakesPerPass = 16;

const passInProgress = new WeakMap<IntakeTakeoverContext, Promise<void>>();

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

/** Claims intakes whose lease expired (their process died) on this process's platforms and finishes them. */
export function takeOverIntakes(context: IntakeTakeoverContext): Promise<void> {
  const current = passInProgress.get(context);
  if (current) return current;
  const pass = (async () => {
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
  })().finally(() => passInProgress.delete(context));
  passInProgress.set(context, pass);
  return pass;
}

