// Failover and spend over SQLite: the accepting provider recorded with its task and spend row in one transaction, attempts, refunds and reports.
import type { Acceptance, JobLease, JobStore } from '../../core/job-store.ts';
import type { JobSpend } from '../../core/job-spend.ts';
import { utcDay } from '../../core/quota-policy.ts';
import type { SpendQuery } from '../../core/spend-report.ts';
import { fenceRefusal, holds, leaseLost, sameSubmission, type FenceRow } from '../lease-fence.ts';
import { spendReportSql, spendValues, toJobSpend, toSpendRow, type SpendColumns, type SpendReportColumns } from '../spend-rows.ts';
import type { BotStore } from '../store.ts';
import type { SqliteDatabase } from './database.ts';

/** The store methods about providers tried and what jobs cost. */
export type SqliteProviderSpend = Pick<JobStore, 'markAccepted' | 'recordAttempts' | 'refundSpend' | 'providerSlotsInUse'>
  & Pick<BotStore, 'spendOf' | 'spendReport'>;

/** Prepares the statements once for `database`. */
export function createSqliteProviderSpend(database: SqliteDatabase): SqliteProviderSpend {
  // Every write names the lease, as the other job transitions do: a process that lost it changes nothing.
  const fenced = 'id = @jobId AND lease_epoch = @epoch AND lease_owner IS @owner';
  const selectFence = database.prepare<[string], FenceRow>('SELECT state, task_id, lease_owner, lease_epoch FROM jobs WHERE id = ?');
  const updateAccepted = database.prepare(
    `UPDATE jobs SET state = 'submitted', task_id = @taskId, provider = @provider, model = @model, provider_attempts_json = @attempts,
       submitted_at = @now, updated_at = @now
     WHERE ${fenced} AND state = 'queued'`,
  );
  // The row copies what reports group by from the job, which retention may delete later.
  const insertSpend = database.prepare(
    `INSERT INTO provider_spend (job_id, provider, model, resolution, requester_key, community_key, spend_day, amount_micros, unit, source,
       accepted_at, updated_at)
     SELECT id, provider, model, json_extract(request_json, '$.resolution'), requester_key, community_key, @day, @amount, @unit, @source,
       @now, @now
     FROM jobs WHERE id = @jobId
     ON CONFLICT (job_id) DO NOTHING`,
  );
  const updateAttempts = database.prepare(
    `UPDATE jobs SET provider_attempts_json = @attempts, updated_at = @now WHERE ${fenced} AND state NOT IN ('failed', 'delivered')`,
  );
  const selectSpend = database.prepare<[string], SpendColumns>('SELECT amount_micros, unit, source FROM provider_spend WHERE job_id = ?');
  const updateRefunded = database.prepare(
    `UPDATE provider_spend SET amount_micros = 0, source = 'refunded', updated_at = ? WHERE job_id = ?`,
  );
  const countSlots = database
    .prepare<{ provider: string; now: number }, number>(
      `SELECT count(*) FROM jobs WHERE provider = @provider
         AND (state IN ('submitted', 'running') OR (state = 'queued' AND (lease_expires_at > @now OR submit_started_at IS NOT NULL)))`,
    )
    .pluck();
  const reports = {
    provider: database.prepare<{ since: number }, SpendReportColumns>(spendReportSql('provider', '@since')),
    day: database.prepare<{ since: number }, SpendReportColumns>(spendReportSql('day', '@since')),
    user: database.prepare<{ since: number }, SpendReportColumns>(spendReportSql('user', '@since')),
    server: database.prepare<{ since: number }, SpendReportColumns>(spendReportSql('server', '@since')),
  };

  const fence = (lease: JobLease) => ({ jobId: lease.jobId, epoch: lease.epoch, owner: lease.owner });

  const accept = database.transaction((lease: JobLease, acceptance: Acceptance, now: number) => {
    const { taskId, provider, model } = acceptance;
    const changed = updateAccepted.run({ ...fence(lease), taskId, provider, model, attempts: JSON.stringify(acceptance.attempts), now }).changes;
    if (changed !== 1) {
      if (sameSubmission(selectFence.get(lease.jobId), lease, taskId)) return;
      throw fenceRefusal(selectFence.get(lease.jobId), lease, 'submitted');
    }
    const [amount, unit, source] = spendValues(acceptance.spend);
    insertSpend.run({ jobId: lease.jobId, day: utcDay(now), amount, unit, source, now });
  });

  const refund = database.transaction((lease: JobLease, now: number): JobSpend | undefined => {
    const row = selectFence.get(lease.jobId);
    if (row !== undefined && !holds(row, lease)) throw leaseLost(lease);
    const spend = selectSpend.get(lease.jobId);
    if (spend === undefined) return undefined;
    updateRefunded.run(now, lease.jobId);
    return toJobSpend(spend);
  });

  return {
    markAccepted: async (lease, acceptance, now) => accept.immediate(lease, acceptance, now),
    async recordAttempts(lease, attempts, now) {
      if (updateAttempts.run({ ...fence(lease), attempts: JSON.stringify(attempts), now }).changes === 1) return;
      throw fenceRefusal(selectFence.get(lease.jobId), lease, 'attempts recorded');
    },
    refundSpend: async (lease, now) => refund.immediate(lease, now),
    providerSlotsInUse: async (provider, now) => countSlots.get({ provider, now }) ?? 0,
    async spendOf(jobId) {
      const row = selectSpend.get(jobId);
      return row === undefined ? undefined : toJobSpend(row);
    },
    spendReport: async (query: SpendQuery) => reports[query.by].all({ since: query.since ?? 0 }).map(toSpendRow),
  };
}
