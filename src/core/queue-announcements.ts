// Telling waiting users that their place in the shared line moved: which moves are worth a message edit, and the edit itself.
import type { Logger } from '../log.ts';
import type { Clock } from './clock.ts';
import type { Delivery } from './delivery.ts';
import type { ClaimOutcome, JobStore, QueuePosition } from './job-store.ts';
import { summarize } from './job-view.ts';
import type { Platform } from './request.ts';

/** What announcing a move needs; owned by the runner. */
export interface QueueAnnouncementContext {
  /** Where the waiting job is read back (its origin, state and summary). */
  store: Pick<JobStore, 'get'>;
  /** The platforms' deliveries; a job whose platform has none here is not announced by this process. */
  deliveries: ReadonlyMap<Platform, Delivery>;
  /** For the elapsed time shown next to the place. */
  clock: Clock;
  /** Where failed edits are reported. */
  logger: Logger;
}

/**
 * Places worth a message edit: every move near the front, and every tenth place further back. With
 * hundreds waiting, each freed slot moves every one of them; editing them all would cost a platform
 * call per waiting job per finished job (and spend the platform's rate limit on decoration).
 */
export function worthAnnouncing(place: QueuePosition): boolean {
  return place.position <= 10 || place.position % 10 === 0;
}

/** Tells a waiting job's user that their place moved (the first place is told by the adapter from `start`). */
export async function announceQueuePosition(context: QueueAnnouncementContext, jobId: string, place: QueuePosition): Promise<void> {
  const job = await context.store.get(jobId);
  const delivery = job && context.deliveries.get(job.origin.platform);
  if (!job || !delivery || job.state !== 'queued') return;
  const progress = {
    summary: summarize(job),
    phase: 'queued' as const,
    queuePosition: place.position,
    queueReason: place.reason,
    elapsedMs: context.clock.now() - job.createdAt,
  };
  await delivery.progress(job.origin, progress);
}

/**
 * Announces the moves a claim pass recorded that are worth it, without waiting for them: the pass
 * goes on at once, and a failed edit is only logged (the next move is told anyway).
 */
export function announceMoves(context: QueueAnnouncementContext, moved: ClaimOutcome['moved']): void {
  for (const { jobId, position } of moved) {
    if (!worthAnnouncing(position)) continue;
    void announceQueuePosition(context, jobId, position).catch((error: unknown) => context.logger.warn({ jobId, err: error }, 'queue update failed'));
  }
}
