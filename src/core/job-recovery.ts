// Restart recovery: what to do with each job (and each acknowledged request) found in SQLite at start.
import type { Logger } from '../log.ts';
import type { Clock } from './clock.ts';
import type { Delivery } from './delivery.ts';
import { BotError } from './errors.ts';
import type { IntakeStore, JobRecord, JobStore } from './job-store.ts';
import { summarize } from './job-view.ts';
import type { Platform } from './request.ts';

export interface RecoveryContext {
  store: JobStore & IntakeStore;
  deliveries: ReadonlyMap<Platform, Delivery>;
  deadlineMs: number;
  retentionDays: number;
  clock: Clock;
  logger: Logger;
  /** Puts a queued job back in line. */
  requeue(job: JobRecord): void;
  /** Continues a job that is at the provider (polling) or finished (delivery). */
  relaunch(job: JobRecord): void;
}

const unfinishedStates = ['queued', 'submitted', 'running', 'succeeded'] as const;

/** Ends the pending messages of requests the bot acknowledged but died before turning into jobs. */
async function endInterruptedIntakes(context: RecoveryContext): Promise<void> {
  const { store, logger } = context;
  for (const intake of store.listIntakes()) {
    const delivery = context.deliveries.get(intake.origin.platform);
    if (!delivery) continue;
    try {
      await delivery.interrupted?.(intake.origin, { prompt: intake.prompt });
      store.clearIntake(intake.dedupeKey);
    } catch (error) {
      logger.warn({ dedupeKey: intake.dedupeKey, err: error }, 'could not end an interrupted request; will retry on the next start');
    }
  }
}

/** A job older than the deadline when the bot comes back: refund and tell the user, never resubmit. */
async function failStale(context: RecoveryContext, job: JobRecord): Promise<void> {
  const minutes = Math.round(context.deadlineMs / 60_000);
  const error = new BotError('provider_timeout', `No result within ${minutes} minutes (the bot was offline)`);
  const { refunded } = context.store.markFailed(job.id, error.toJSON(), context.clock.now());
  try {
    await context.deliveries.get(job.origin.platform)?.fail(job.origin, { summary: summarize(job), error: error.toJSON(), refunded });
  } catch (deliveryError) {
    context.logger.error({ jobId: job.id, err: deliveryError }, 'could not tell the user about the expired job');
  }
}

/**
 * Queued jobs go back in line, submitted/running ones resume polling with their stored task ids,
 * succeeded ones are delivered, and ones past the deadline fail with a refund. Jobs of a platform
 * that is not running this time are left for a later start. Also purges jobs past retention.
 * Returns how many jobs were picked up.
 */
export async function recoverJobs(context: RecoveryContext): Promise<number> {
  const { store, clock, logger } = context;
  await endInterruptedIntakes(context);
  const now = clock.now();
  const purged = store.purgeFinishedBefore(now - context.retentionDays * 86_400_000);
  if (purged > 0) logger.info({ purged }, 'purged jobs past retention');
  let resumed = 0;
  for (const job of store.listByState(unfinishedStates)) {
    if (!context.deliveries.has(job.origin.platform)) {
      logger.warn({ jobId: job.id, platform: job.origin.platform }, 'no delivery for this platform; job left for a later start');
      continue;
    }
    const startedAt = job.submittedAt ?? job.createdAt;
    if (job.state !== 'succeeded' && now - startedAt > context.deadlineMs) {
      await failStale(context, job);
      continue;
    }
    if (job.state === 'queued') context.requeue(job);
    else context.relaunch(job);
    resumed += 1;
  }
  return resumed;
}
