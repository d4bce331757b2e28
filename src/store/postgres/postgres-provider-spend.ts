// Failover and spend in PostgreSQL: the accepting provider recorded with its task and spend row in one transaction, attempts, refunds and reports.
import type pg from 'pg';
import type { JobStore } from '../../core/job-store.ts';
import { utcDay } from '../../core/quota-policy.ts';
import { fenceRefusal, holds, leaseLost, sameSubmission, type FenceRow } from '../lease-fence.ts';
import { spendReportSql, spendValues, toJobSpend, toSpendRow, type SpendColumns, type SpendReportColumns } from '../spend-rows.ts';
import type { BotStore } from '../store.ts';
import { inTransaction, workChannel, type Queryable } from './postgres-connection.ts';

/** The store methods about providers tried and what jobs cost. */
export type PostgresProviderSpend = Pick<JobStore, 'markAccepted' | 'recordAttempts' | 'refundSpend' | 'providerSlotsInUse'>
  & Pick<BotStore, 'spendOf' | 'spendReport'>;

/** The condition every fenced write carries: $1 job id, $2 epoch, $3 owner. */
const fenced = 'id = $1 AND lease_epoch = $2 AND lease_owner = $3';

// The row copies what reports group by from the job, which retention may delete later.
const insertSpendSql = `
INSERT INTO provider_spend (job_id, provider, model, resolution, requester_key, community_key, spend_day, amount_micros, unit, source,
  accepted_at, updated_at)
SELECT id, provider, model, request_json::jsonb ->> 'resolution', requester_key, community_key, $2, $3, $4, $5, $6, $6
FROM jobs WHERE id = $1
ON CONFLICT (job_id) DO NOTHING`;

/** Builds the methods over `pool`. */
export function createPostgresProviderSpend(pool: pg.Pool): PostgresProviderSpend {
  const currentFence = async (database: Queryable, jobId: string, lock = false) =>
    (await database.query<FenceRow>(`SELECT state, task_id, lease_owner, lease_epoch FROM jobs WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [jobId]))
      .rows[0];
  const selectSpend = async (database: Queryable, jobId: string) =>
    (await database.query<SpendColumns>('SELECT amount_micros, unit, source FROM provider_spend WHERE job_id = $1', [jobId])).rows[0];

  return {
    markAccepted: (lease, acceptance, now) =>
      inTransaction(pool, async (client) => {
        const { taskId, provider, model } = acceptance;
        // RETURNING the provider before the update: when it changed, the slot it held is free for the next job in that line.
        const updated = await client.query<{ previous: string }>(
          `UPDATE jobs SET state = 'submitted', task_id = $4, provider = $5, model = $6, provider_attempts_json = $7, submitted_at = $8,
             updated_at = $8
           FROM (SELECT provider AS previous FROM jobs WHERE id = $1) AS before
           WHERE ${fenced} AND state = 'queued' RETURNING before.previous`,
          [lease.jobId, lease.epoch, lease.owner, taskId, provider, model, JSON.stringify(acceptance.attempts), now],
        );
        const previous = updated.rows[0]?.previous;
        if (previous === undefined) {
          const current = await currentFence(client, lease.jobId);
          if (sameSubmission(current, lease, taskId)) return;
          throw fenceRefusal(current, lease, 'submitted');
        }
        await client.query(insertSpendSql, [lease.jobId, utcDay(now), ...spendValues(acceptance.spend), now]);
        if (previous !== provider) await client.query("SELECT pg_notify($1, '')", [workChannel]);
      }),
    async recordAttempts(lease, attempts, now) {
      const result = await pool.query(
        `UPDATE jobs SET provider_attempts_json = $4, updated_at = $5 WHERE ${fenced} AND state NOT IN ('failed', 'delivered')`,
        [lease.jobId, lease.epoch, lease.owner, JSON.stringify(attempts), now],
      );
      if (result.rowCount !== 1) throw fenceRefusal(await currentFence(pool, lease.jobId), lease, 'attempts recorded');
    },
    refundSpend: (lease, now) =>
      inTransaction(pool, async (client) => {
        const row = await currentFence(client, lease.jobId, true);
        if (row !== undefined && !holds(row, lease)) throw leaseLost(lease);
        const spend = await selectSpend(client, lease.jobId);
        if (spend === undefined) return undefined;
        await client.query(`UPDATE provider_spend SET amount_micros = 0, source = 'refunded', updated_at = $2 WHERE job_id = $1`, [lease.jobId, now]);
        return toJobSpend(spend);
      }),
    async providerSlotsInUse(provider, now) {
      const result = await pool.query<{ count: number }>(
        `SELECT count(*) AS count FROM jobs WHERE provider = $1
           AND (state IN ('submitted', 'running') OR (state = 'queued' AND (lease_expires_at > $2 OR submit_started_at IS NOT NULL)))`,
        [provider, now],
      );
      return result.rows[0]?.count ?? 0;
    },
    async spendOf(jobId) {
      const row = await selectSpend(pool, jobId);
      return row === undefined ? undefined : toJobSpend(row);
    },
    async spendReport(query) {
      const result = await pool.query<SpendReportColumns>(spendReportSql(query.by, '$1'), [query.since ?? 0]);
      return result.rows.map(toSpendRow);
    },
  };
}
