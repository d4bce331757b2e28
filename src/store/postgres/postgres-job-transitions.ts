// The job state machine in PostgreSQL: every write after the claim is fenced by the lease, settlements in the same transaction.
import type pg from 'pg';
import type { SerializedError } from '../../core/errors.ts';
import type { JobLease, JobStore } from '../../core/job-store.ts';
import { reservationOf, type ReservationColumns } from '../job-reservation.ts';
import { toBlob } from '../job-rows.ts';
import { fenceRefusal, holds, invalidTransition, leaseLost, sameSubmission, type FenceRow } from '../lease-fence.ts';
import { inTransaction, workChannel, type Queryable } from './postgres-connection.ts';
import type { PostgresCreditSteps } from './postgres-credit-reservations.ts';
import { keepImage } from './postgres-kept-images.ts';

/** The writes a lease holder makes. */
export type PostgresJobTransitions = Pick<
  JobStore,
  'markSubmitting' | 'markSubmitted' | 'markRunning' | 'markSucceeded' | 'markFailed' | 'markDelivered'
>;

type SettlementRow = FenceRow & ReservationColumns;

/** The condition every fenced write carries: $1 job id, $2 epoch, $3 owner. */
const fenced = 'id = $1 AND lease_epoch = $2 AND lease_owner = $3';

function fenceValues(lease: JobLease): unknown[] {
  return [lease.jobId, lease.epoch, lease.owner];
}

/** Builds the fenced writes over `pool`; `steps` settles the credits inside the final transitions. */
export function createPostgresJobTransitions(pool: pg.Pool, steps: PostgresCreditSteps): PostgresJobTransitions {
  const currentFence = async (database: Queryable, jobId: string, lock = false) =>
    (await database.query<SettlementRow>(
      `SELECT state, task_id, lease_owner, lease_epoch, requester_key, community_key, cost, community_cost, quota_day
       FROM jobs WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [jobId],
    )).rows[0];

  /** Why a fenced write matched no row: the lease moved on, or the job's state does not allow it. */
  const refusal = async (lease: JobLease, target: string) => fenceRefusal(await currentFence(pool, lease.jobId), lease, target);

  /** Runs one fenced UPDATE (values after the fence start at $4); throws the refusal when it matched no row. */
  const fencedUpdate = async (lease: JobLease, target: string, sql: string, values: unknown[]): Promise<void> => {
    const result = await pool.query(sql, [...fenceValues(lease), ...values]);
    if (result.rowCount !== 1) throw await refusal(lease, target);
  };

  /**
   * Runs `apply` in a transaction holding the job's row lock, once the fence is checked: a claim pass
   * skips the job while this transaction holds it, and this one sees a takeover's epoch if that came first.
   */
  const settling = <T>(lease: JobLease, apply: (client: Queryable, row: SettlementRow | undefined) => Promise<T>) =>
    inTransaction(pool, async (client) => {
      const row = await currentFence(client, lease.jobId, true);
      if (row !== undefined && !holds(row, lease)) throw leaseLost(lease);
      return apply(client, row);
    });

  return {
    async markSubmitting(lease, now) {
      await fencedUpdate(lease, 'submitting', `UPDATE jobs SET submit_started_at = $4, updated_at = $4 WHERE ${fenced} AND state = 'queued'`, [now]);
    },
    async markSubmitted(lease, taskId, now) {
      const result = await pool.query(
        `UPDATE jobs SET state = 'submitted', task_id = $4, submitted_at = $5, updated_at = $5 WHERE ${fenced} AND state = 'queued'`,
        [...fenceValues(lease), taskId, now],
      );
      if (result.rowCount === 1) return;
      // Recording the same submission twice is harmless; anything else is a runner bug.
      if (sameSubmission(await currentFence(pool, lease.jobId), lease, taskId)) return;
      throw await refusal(lease, 'submitted');
    },
    async markRunning(lease, progress, now) {
      await fencedUpdate(
        lease,
        'running',
        `UPDATE jobs SET state = 'running', progress = coalesce($4::double precision, progress), updated_at = $5
         WHERE ${fenced} AND state IN ('submitted', 'running')`,
        [progress, now],
      );
    },
    async markSucceeded(lease, result, now) {
      // The provider slot is free now: other processes may admit the next job for this provider.
      await fencedUpdate(
        lease,
        'succeeded',
        `WITH updated AS (
           UPDATE jobs SET state = 'succeeded', result_url = $4, result_data = $5, result_mime = $6, finished_at = $7, updated_at = $7
           WHERE ${fenced} AND state IN ('queued', 'submitted', 'running') RETURNING id)
         SELECT pg_notify($8, '') FROM updated`,
        [result.url ?? null, toBlob(result.data), result.mimeType ?? null, now, workChannel],
      );
    },
    markFailed: (lease, error: SerializedError, now) =>
      settling(lease, async (client, row) => {
        if (row === undefined || row.state === 'delivered') throw invalidTransition(lease.jobId, 'failed', row?.state);
        // A second report of the same failure (e.g. timeout racing a provider error) refunds nothing.
        if (row.state === 'failed') return { refunded: 0 };
        await client.query(
          `UPDATE jobs SET state = 'failed', error_json = $2, result_data = NULL, finished_at = $3, updated_at = $3 WHERE id = $1`,
          [lease.jobId, JSON.stringify(error), now],
        );
        await steps.settle(client, 'refund', reservationOf(lease.jobId, row), now);
        await client.query("SELECT pg_notify($1, '')", [workChannel]);
        return { refunded: row.cost };
      }),
    markDelivered: (lease, messageId, now, kept) =>
      settling(lease, async (client, row) => {
        // Recovery may deliver again after a crash; the first recorded message id and commit stand.
        if (row?.state === 'delivered') return;
        if (row === undefined || row.state !== 'succeeded') throw invalidTransition(lease.jobId, 'delivered', row?.state);
        await client.query(
          `UPDATE jobs SET state = 'delivered', delivered_message_id = $2, result_data = NULL, updated_at = $3 WHERE id = $1`,
          [lease.jobId, messageId, now],
        );
        await steps.settle(client, 'commit', reservationOf(lease.jobId, row), now);
        if (kept !== undefined) await keepImage(client, lease.jobId, kept, now);
        await client.query("SELECT pg_notify($1, '')", [workChannel]);
      }),
  };
}
