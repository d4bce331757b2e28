// Cancelling a job over SQLite: fail, refund and fence it out in one transaction, and let every process see the cancel by polling.
import type { CancelOutcome, JobCancellation } from '../../core/job-cancellation.ts';
import { cancellableStates, cancelledError, cancelRetentionMs } from '../cancel-rules.ts';
import { createCancelWatchers, type CancelRow } from '../cancel-watchers.ts';
import { reservationOf, type ReservationColumns } from '../job-reservation.ts';
import { toJobRecord, type JobRow, type ReferenceRow } from '../job-rows.ts';
import type { CreditSteps } from './credit-reservations.ts';
import type { SqliteDatabase } from './database.ts';

/** How often each watcher looks for new cancels (one indexed read of the newest rows). */
export const cancelPollIntervalMs = 250;

/** The cancellation methods, and `stopWatchers` for closing the store. */
export type SqliteJobCancellation = JobCancellation & { stopWatchers(): void };

/** Prepares the statements once; `steps` refunds the reservation exactly as `markFailed` does. */
export function createSqliteJobCancellation(database: SqliteDatabase, steps: CreditSteps): SqliteJobCancellation {
  const selectJob = database.prepare<[string], JobRow & ReservationColumns>('SELECT * FROM jobs WHERE id = ?');
  const selectReferences = database.prepare<[string], ReferenceRow>(
    'SELECT position, data, url, filename, source, mime_type FROM job_references WHERE job_id = ? ORDER BY position',
  );
  // A new epoch and no owner: the holder's fenced writes now match nothing (`lease_lost`) and its renewals drop the job.
  const updateCancelled = database.prepare<{ id: string; error: string; now: number }, JobRow>(
    `UPDATE jobs SET state = 'failed', error_json = @error, result_data = NULL, finished_at = @now, updated_at = @now,
       lease_epoch = lease_epoch + 1, lease_owner = NULL, lease_expires_at = 0, queue_position = NULL, queue_reason = NULL
     WHERE id = @id RETURNING *`,
  );
  const insertCancel = database.prepare('INSERT INTO job_cancels (job_id, created_at) VALUES (?, ?)');
  const purgeCancels = database.prepare('DELETE FROM job_cancels WHERE created_at < ?');
  const latestCancel = database.prepare<[], number>('SELECT coalesce(max(id), 0) FROM job_cancels').pluck();
  const cancelsAfter = database.prepare<[number], CancelRow>('SELECT id, job_id FROM job_cancels WHERE id > ? ORDER BY id');

  const record = (row: JobRow) => toJobRecord(row, selectReferences.all(row.id));

  const cancel = database.transaction((jobId: string, actorKey: string, now: number): CancelOutcome => {
    const row = selectJob.get(jobId);
    if (row === undefined) return { kind: 'unknown' };
    if (!cancellableStates.includes(row.state)) return { kind: 'finished', job: record(row) };
    const updated = updateCancelled.get({ id: jobId, error: JSON.stringify(cancelledError(actorKey)), now });
    if (updated === undefined) return { kind: 'unknown' };
    // The same refund rows markFailed writes: back to the job's quota day, and to its community's cap.
    steps.settle('refund', reservationOf(jobId, row), now);
    insertCancel.run(jobId, now);
    // Watchers only ever read the newest rows; old ones are cleared here now and then, not by a timer.
    purgeCancels.run(now - cancelRetentionMs);
    return { kind: 'cancelled', job: record(updated), refunded: row.cost };
  });

  const watchers = createCancelWatchers(
    {
      latestId: () => latestCancel.get() ?? 0,
      cancelsAfter: (id) => (database.open ? cancelsAfter.all(id) : []),
    },
    cancelPollIntervalMs,
  );

  return {
    // IMMEDIATE: the state read and the update happen under the write lock, so a cancel and the
    // holder's own settlement never both refund or commit the same reservation.
    cancelJob: async (jobId, actorKey, now) => cancel.immediate(jobId, actorKey, now),
    watchForCancels: (onCancel) => watchers.watch(onCancel),
    stopWatchers: () => watchers.stopAll(),
  };
}
