// Jobs in PostgreSQL: creation with dedupe and its reservation in one transaction, reads, lists and retention.
import type pg from 'pg';
import { BotError } from '../../core/errors.ts';
import type { JobHistory } from '../../core/job-history.ts';
import type { CreateJobOutcome, JobRecord, JobStore, NewJob } from '../../core/job-store.ts';
import { createdJobRecord, reservationRequestOf } from '../created-job.ts';
import { finalStates } from '../final-states.ts';
import { referenceColumns, requestJson, type JobRow } from '../job-rows.ts';
import type { RecentJobsFilter } from '../store.ts';
import { inTransaction, workChannel, type Queryable } from './postgres-connection.ts';
import type { PostgresCreditSteps } from './postgres-credit-reservations.ts';
import { toJobRecordOrUndefined, toJobRecords } from './postgres-job-rows.ts';

/** The job methods that are not about leases, plus what operators need. */
export type PostgresJobStore = Pick<
  JobStore,
  'createJob' | 'get' | 'getByDedupeKey' | 'listByState' | 'countByRequester' | 'purgeFinishedBefore'
> & {
  /** Latest jobs first, optionally of one state and/or requester. */
  listRecent(filter: RecentJobsFilter): Promise<JobRecord[]>;
} & JobHistory;

// ON CONFLICT on the dedupe key makes a retried event that races its first delivery (in another
// process) wait for that transaction and then find the job, instead of failing on the unique index.
const insertJobSql = `
INSERT INTO jobs (id, dedupe_key, state, requester_key, community_key, platform, provider, model, request_json, origin_json,
  cost, community_cost, quota_day, created_at, updated_at)
VALUES ($1, $2, 'queued', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
ON CONFLICT (dedupe_key) DO NOTHING`;

const finishIntakeSql = `WITH removed AS (DELETE FROM intakes WHERE dedupe_key = $2::text) SELECT pg_notify($1, '')`;

/** Inserts the references in one statement; bytes go as binary parameters, not hex text. */
async function insertReferences(client: Queryable, job: NewJob): Promise<void> {
  const references = job.request.references;
  if (references.length === 0) return;
  const values: unknown[] = [job.id];
  const rows = references.map((reference, position) => {
    const first = values.length + 1;
    values.push(position, ...referenceColumns(reference));
    return `($1, ${Array.from({ length: 6 }, (_, offset) => `$${first + offset}`).join(', ')})`;
  });
  await client.query(
    `INSERT INTO job_references (job_id, position, data, url, filename, source, mime_type) VALUES ${rows.join(', ')}`,
    values,
  );
}

/** Builds the job methods over `pool`; `steps` moves the credits inside the job transactions. */
export function createPostgresJobStore(pool: pg.Pool, steps: PostgresCreditSteps): PostgresJobStore {
  const selectOne = async (where: string, value: string) => {
    const result = await pool.query<JobRow>(`SELECT * FROM jobs WHERE ${where} = $1`, [value]);
    return toJobRecordOrUndefined(pool, result.rows[0]);
  };

  /** Inserts the job and holds its credits; undefined when a job with its dedupe key exists (nothing changed then). */
  const insert = (job: NewJob) =>
    inTransaction(pool, async (client): Promise<JobRecord | undefined> => {
      const request = reservationRequestOf(job);
      // The row goes in first, so a duplicate is found before any credit is touched: a retried event
      // from a user who has spent their credits since is still a duplicate, not a refusal.
      const planned = steps.plan(request);
      const inserted = await client.query(insertJobSql, [
        job.id, job.dedupeKey ?? null, job.requesterKey, job.communityKey ?? null, job.origin.platform,
        job.request.provider, job.request.model, requestJson(job.request), JSON.stringify(job.origin),
        planned.cost, planned.communityCost, planned.quotaDay, job.now,
      ]);
      if (inserted.rowCount !== 1) return undefined;
      // A refusal throws here and rolls the job row back with everything else.
      await steps.reserve(client, request);
      await insertReferences(client, job);
      // The request is a job now: its intake has done its work (a NULL key matches none). Other processes learn there is work.
      await client.query(finishIntakeSql, [workChannel, job.dedupeKey ?? null]);
      return createdJobRecord(job, planned);
    });

  async function listRecent(filter: RecentJobsFilter): Promise<JobRecord[]> {
    const result = await pool.query<JobRow>(
      `SELECT * FROM jobs WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR requester_key = $2)
       ORDER BY created_at DESC, seq DESC LIMIT $3`,
      [filter.state ?? null, filter.requesterKey ?? null, filter.limit],
    );
    return toJobRecords(pool, result.rows, false);
  }

  return {
    async createJob(job): Promise<CreateJobOutcome> {
      const created = await insert(job);
      if (created !== undefined) return { job: created, duplicate: false };
      const existing = job.dedupeKey === undefined ? undefined : await selectOne('dedupe_key', job.dedupeKey);
      // Only a purge between the conflict and this read could get here.
      if (existing === undefined) throw new BotError('internal', `Job with dedupe key ${job.dedupeKey} vanished while it was created again`);
      return { job: existing, duplicate: true };
    },
    get: (jobId) => selectOne('id', jobId),
    getByDedupeKey: (dedupeKey) => selectOne('dedupe_key', dedupeKey),
    async listByState(states) {
      const result = await pool.query<JobRow>('SELECT * FROM jobs WHERE state = ANY($1::text[]) ORDER BY created_at, seq', [states]);
      return toJobRecords(pool, result.rows);
    },
    async countByRequester(requesterKey, states) {
      const result = await pool.query<{ count: number }>(
        'SELECT count(*) AS count FROM jobs WHERE requester_key = $1 AND state = ANY($2::text[])',
        [requesterKey, states],
      );
      return result.rows[0]?.count ?? 0;
    },
    async purgeFinishedBefore(cutoff) {
      // References and kept images go with their jobs in this statement (ON DELETE CASCADE); the ledger has no link to jobs and stays.
      const result = await pool.query('DELETE FROM jobs WHERE state = ANY($1::text[]) AND created_at < $2', [finalStates, cutoff]);
      return result.rowCount ?? 0;
    },
    listRecent,
    // The operators' listing narrowed to one requester: same query, same order.
    recentJobsOf: (requesterKey, limit) => listRecent({ requesterKey, limit }),
  };
}
