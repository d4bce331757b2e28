// Reads the shared database the way an operator would, with the lease columns the store's records leave out (SQLite or PostgreSQL).
import Database from 'better-sqlite3';
import pg from 'pg';
import type { JobState } from '../../src/core/job-store.ts';

/** Which database the bots under test share. */
export type TestDatabase = { kind: 'postgres'; url: string } | { kind: 'sqlite'; path: string };

/** One row of `jobs`, lease columns included. Times are ms since the epoch. */
export interface JobRow {
  id: string;
  dedupeKey: string | null;
  state: JobState;
  requesterKey: string;
  leaseOwner: string | null;
  leaseEpoch: number;
  leaseExpiresAt: number;
  submitStartedAt: number | null;
  submittedAt: number | null;
  /** Set when the provider finished (succeeded or failed), not at delivery. */
  finishedAt: number | null;
  /** Last write to the job's own columns (lease renewals and releases leave it): for a final job, when it ended. */
  updatedAt: number;
  taskId: string | null;
  /** The Slack status message the job reports on (`origin.messageId`). */
  statusTs: string | undefined;
}

/** One ledger row tied to a job. */
export interface JobLedgerRow {
  jobId: string;
  scope: string;
  kind: string;
  amount: number;
}

/** A read-only view of the jobs, the ledger and the intakes. */
export interface JobTable {
  jobs(): Promise<JobRow[]>;
  jobLedger(): Promise<JobLedgerRow[]>;
  intakeCount(): Promise<number>;
  close(): Promise<void>;
}

const jobColumns = `id, dedupe_key, state, requester_key, lease_owner, lease_epoch, lease_expires_at, submit_started_at,
  submitted_at, finished_at, updated_at, task_id, origin_json`;

type RawJob = Record<string, unknown>;

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function toJobRow(raw: RawJob): JobRow {
  const origin = JSON.parse(String(raw.origin_json)) as { messageId?: string };
  return {
    id: String(raw.id),
    dedupeKey: raw.dedupe_key === null ? null : String(raw.dedupe_key),
    state: raw.state as JobState,
    requesterKey: String(raw.requester_key),
    leaseOwner: raw.lease_owner === null ? null : String(raw.lease_owner),
    leaseEpoch: Number(raw.lease_epoch),
    leaseExpiresAt: Number(raw.lease_expires_at),
    submitStartedAt: numberOrNull(raw.submit_started_at),
    submittedAt: numberOrNull(raw.submitted_at),
    finishedAt: numberOrNull(raw.finished_at),
    updatedAt: Number(raw.updated_at),
    taskId: raw.task_id === null ? null : String(raw.task_id),
    statusTs: origin.messageId,
  };
}

function toLedgerRow(raw: RawJob): JobLedgerRow {
  return { jobId: String(raw.job_id), scope: String(raw.scope), kind: String(raw.kind), amount: Number(raw.amount) };
}

const ledgerSql = 'SELECT job_id, scope, kind, amount FROM quota_ledger WHERE job_id IS NOT NULL ORDER BY id';

/** Opens a connection of its own to `database` (which the bots must have created and migrated already). */
export async function openJobTable(database: TestDatabase): Promise<JobTable> {
  if (database.kind === 'sqlite') {
    const connection = new Database(database.path, { fileMustExist: true });
    connection.pragma('busy_timeout = 5000');
    const jobs = connection.prepare<[], RawJob>(`SELECT ${jobColumns} FROM jobs ORDER BY created_at, rowid`);
    const ledger = connection.prepare<[], RawJob>(ledgerSql);
    const intakes = connection.prepare<[], { count: number }>('SELECT count(*) AS count FROM intakes');
    return {
      jobs: async () => jobs.all().map(toJobRow),
      jobLedger: async () => ledger.all().map(toLedgerRow),
      intakeCount: async () => intakes.get()?.count ?? 0,
      close: async () => void connection.close(),
    };
  }
  const client = new pg.Client({ connectionString: database.url, application_name: 'test-observer' });
  client.on('error', () => {});
  await client.connect();
  return {
    jobs: async () => (await client.query<RawJob>(`SELECT ${jobColumns} FROM jobs ORDER BY created_at, seq`)).rows.map(toJobRow),
    jobLedger: async () => (await client.query<RawJob>(ledgerSql)).rows.map(toLedgerRow),
    intakeCount: async () => Number((await client.query<{ count: string }>('SELECT count(*) AS count FROM intakes')).rows[0]?.count ?? 0),
    close: () => client.end().catch(() => undefined),
  };
}
