// Records who wrote each job row and ledger row on a PostgreSQL test database: triggers log the writer's application_name.
import { parseConfig } from '../../src/config.ts';
import { createQuotaPolicy } from '../../src/core/quota-policy.ts';
import { openPostgresStore } from '../../src/store/index.ts';
import pg from 'pg';

/** One logged write. `app` is the writing connection's application_name (each bot process sets its own). */
export interface LoggedWrite {
  id: number;
  at: number;
  app: string;
  table: 'jobs' | 'quota_ledger';
  jobId: string | null;
  /** Jobs: `INSERT` or `UPDATE`; ledger: the row's kind (reserve, commit, refund, …). */
  operation: string;
  oldEpoch: number | null;
  newEpoch: number | null;
  oldState: string | null;
  newState: string | null;
}

// Row-level triggers fire only for rows a statement really changed: a fenced write that matched no row
// (wrong epoch) logs nothing, while any write that got through is logged with its writer.
const installSql = `
CREATE TABLE test_write_log (
  id bigserial PRIMARY KEY,
  at bigint NOT NULL DEFAULT (extract(epoch FROM clock_timestamp()) * 1000)::bigint,
  app text NOT NULL DEFAULT current_setting('application_name'),
  table_name text NOT NULL,
  job_id text,
  operation text NOT NULL,
  old_epoch integer,
  new_epoch integer,
  old_state text,
  new_state text
);
CREATE FUNCTION test_log_job_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO test_write_log (table_name, job_id, operation, new_epoch, new_state) VALUES ('jobs', NEW.id, TG_OP, NEW.lease_epoch, NEW.state);
  ELSE
    INSERT INTO test_write_log (table_name, job_id, operation, old_epoch, new_epoch, old_state, new_state)
    VALUES ('jobs', NEW.id, TG_OP, OLD.lease_epoch, NEW.lease_epoch, OLD.state, NEW.state);
  END IF;
  RETURN NULL;
END $$;
CREATE FUNCTION test_log_ledger_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO test_write_log (table_name, job_id, operation) VALUES ('quota_ledger', NEW.job_id, NEW.kind);
  RETURN NULL;
END $$;
CREATE TRIGGER test_log_job_writes AFTER INSERT OR UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION test_log_job_write();
CREATE TRIGGER test_log_ledger_writes AFTER INSERT ON quota_ledger FOR EACH ROW EXECUTE FUNCTION test_log_ledger_write();
`;

/** Migrates the empty database at `url` as the bot would, then installs the write log on its jobs and ledger. */
export async function installWriteLog(url: string): Promise<void> {
  const store = await openPostgresStore(url, createQuotaPolicy(parseConfig({}).quota));
  await store.close();
  await withClient(url, (client) => client.query(installSql));
}

/** Every logged write, oldest first. */
export async function readWriteLog(url: string): Promise<LoggedWrite[]> {
  const result = await withClient(url, (client) => client.query<Record<string, unknown>>('SELECT * FROM test_write_log ORDER BY id'));
  return result.rows.map((row) => ({
    id: Number(row.id),
    at: Number(row.at),
    app: String(row.app),
    table: row.table_name as LoggedWrite['table'],
    jobId: row.job_id === null ? null : String(row.job_id),
    operation: String(row.operation),
    oldEpoch: row.old_epoch === null ? null : Number(row.old_epoch),
    newEpoch: row.new_epoch === null ? null : Number(row.new_epoch),
    oldState: row.old_state === null ? null : String(row.old_state),
    newState: row.new_state === null ? null : String(row.new_state),
  }));
}

/** Connections of `app` that are running a statement or sit inside an open transaction (what a frozen process could block others with). */
export async function busyConnections(url: string, app: string): Promise<number> {
  const result = await withClient(url, (client) =>
    client.query<{ count: string }>(
      `SELECT count(*) AS count FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1 AND state <> 'idle'`,
      [app],
    ),
  );
  return Number(result.rows[0]?.count ?? 0);
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'test-observer' });
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
