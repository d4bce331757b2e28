// Cancelling a job over PostgreSQL: fail, refund and fence it out in one transaction, and let every process see the cancel by polling.
import type pg from 'pg';
import type { CancelOutcome, JobCancellation } from '../../core/job-cancellation.ts';
import { cancellableStates, cancelledError, cancelRetentionMs } from '../cancel-rules.ts';
import { createCancelWatchers, type CancelRow } from '../cancel-watchers.ts';
import { reservationOf } from '../job-reservation.ts';
import type { JobRow } from '../job-rows.ts';
import { cancelLock, inTransaction, transactionLockSql, workChannel } from './postgres-connection.ts';
import type { PostgresCreditSteps } from './postgres-credit-reservations.ts';
import { toJobRecordOrUndefined } from './postgres-job-rows.ts';

/** How often each watcher looks for new cancels (one indexed read of the newest rows on a pooled connection). */
export const cancelPollIntervalMs = 500;

/** The cancellation methods, and `stopWatchers` for closing the store. */
export type PostgresJobCancellation = JobCancellation & { stopWatchers(): void };

// A new epoch and no owner: the holder's fenced writes now match nothing (`lease_lost`) and its renewals drop the job.
const cancelSql = `
UPDATE jobs SET state = 'failed', error_json = $2, result_data = NULL, finished_at = $3, updated_at = $3,
  lease_epoch = lease_epoch + 1, lease_owner = NULL, lease_expires_at = 0, queue_position = NULL, queue_reason = NULL
WHERE id = $1 RETURNING *`;

// The job's slot is free now: other processes may admit the next job.
const recordCancelSql = `
WITH recorded AS (INSERT INTO job_cancels (job_id, created_at) VALUES ($1, $2))
SELECT pg_notify($3, '')`;

/** Builds the cancellation methods over `pool`; `steps` refunds the reservation exactly as `markFailed` does. */
export function createPostgresJobCancellation(pool: pg.Pool, steps: PostgresCreditSteps): PostgresJobCancellation {
  const cancelJob = (jobId: string, actorKey: string, now: number): Promise<CancelOutcome> =>
    inTransaction(pool, async (client): Promise<CancelOutcome> => {
      // The row lock orders this cancel with the holder's own settlement: whichever comes second sees the other's state.
      const row = (await client.query<JobRow>('SELECT * FROM jobs WHERE id = $1 FOR UPDATE', [jobId])).rows[0];
      if (row === undefined) return { kind: 'unknown' };
      if (!cancellableStates.includes(row.state)) {
        const job = await toJobRecordOrUndefined(client, row);
        return job === undefined ? { kind: 'unknown' } : { kind: 'finished', job };
      }
      const updated = (await client.query<JobRow>(cancelSql, [jobId, JSON.stringify(cancelledError(actorKey)), now])).rows[0];
      // The same refund rows markFailed writes: back to the job's quota day, and to its community's cap.
      await steps.settle(client, 'refund', reservationOf(jobId, row), now);
      // Taken last and held to the commit: cancels get their ids and commit one at a time, so a watcher
      // that saw id N never meets a smaller id committed later. Cancels are rare; the wait is nothing.
      await client.query(transactionLockSql(cancelLock));
      await client.query(recordCancelSql, [jobId, now, workChannel]);
      // Watchers only ever read the newest rows; old ones are cleared here now and then, not by a timer.
      await client.query('DELETE FROM job_cancels WHERE created_at < $1', [now - cancelRetentionMs]);
      const job = await toJobRecordOrUndefined(client, updated);
      return job === undefined ? { kind: 'unknown' } : { kind: 'cancelled', job, refunded: row.cost };
    });

  const watchers = createCancelWatchers(
    {
      latestId: async () => (await pool.query<{ id: number }>('SELECT coalesce(max(id), 0) AS id FROM job_cancels')).rows[0]?.id ?? 0,
      cancelsAfter: async (id) => (await pool.query<CancelRow>('SELECT id, job_id FROM job_cancels WHERE id > $1 ORDER BY id', [id])).rows,
    },
    cancelPollIntervalMs,
  );

  return {
    cancelJob,
    watchForCancels: (onCancel) => watchers.watch(onCancel),
    stopWatchers: () => watchers.stopAll(),
  };
}
