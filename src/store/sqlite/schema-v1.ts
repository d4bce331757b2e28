// Migration 1: the jobs table with its stored reference bytes, per-day quota accounts and the append-only ledger.

/**
 * Quota accounts hold one row per (scope, key, UTC day): `available` is what can still be spent,
 * `reserved` what jobs in flight hold. Each change to either is one `quota_ledger` row in the same
 * transaction (`amount` = change of available, `reserved_change` = change of reserved), so for every
 * account and day: available = SUM(amount) and reserved = SUM(reserved_change). The ledger has no
 * foreign key to jobs: retention deletes jobs and keeps the ledger. Ledger rows are never deleted, so
 * the plain rowid key keeps growing without AUTOINCREMENT (which would cost a write per insert).
 * The ledger deliberately has no per-account index: every index is one more page written per credit
 * movement (about a quarter of a reserve's cost); reading one account's rows walks back from the
 * newest row, which is quick for active accounts and only an operator's query otherwise.
 */
export const schemaV1 = `
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  dedupe_key TEXT UNIQUE,
  state TEXT NOT NULL CHECK (state IN ('queued', 'submitted', 'running', 'succeeded', 'failed', 'delivered')),
  requester_key TEXT NOT NULL,
  community_key TEXT,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  request_json TEXT NOT NULL,
  origin_json TEXT NOT NULL,
  task_id TEXT,
  progress REAL,
  cost INTEGER NOT NULL CHECK (cost >= 0),
  community_cost INTEGER NOT NULL DEFAULT 0 CHECK (community_cost >= 0),
  quota_day TEXT NOT NULL,
  error_json TEXT,
  result_url TEXT,
  result_data BLOB,
  result_mime TEXT,
  delivered_message_id TEXT,
  created_at INTEGER NOT NULL,
  submitted_at INTEGER,
  finished_at INTEGER,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE INDEX jobs_by_state ON jobs (state, created_at);
CREATE INDEX jobs_by_requester ON jobs (requester_key, state);
CREATE INDEX jobs_by_created ON jobs (created_at);

CREATE TABLE job_references (
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  data BLOB,
  url TEXT,
  filename TEXT,
  source TEXT NOT NULL,
  mime_type TEXT,
  PRIMARY KEY (job_id, position)
) STRICT;

CREATE TABLE quota_accounts (
  scope TEXT NOT NULL CHECK (scope IN ('user', 'community')),
  account_key TEXT NOT NULL,
  quota_day TEXT NOT NULL,
  allowance INTEGER NOT NULL,
  available INTEGER NOT NULL CHECK (available >= 0),
  reserved INTEGER NOT NULL CHECK (reserved >= 0),
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (scope, account_key, quota_day)
) STRICT, WITHOUT ROWID;

CREATE TABLE quota_ledger (
  id INTEGER PRIMARY KEY,
  scope TEXT NOT NULL CHECK (scope IN ('user', 'community')),
  account_key TEXT NOT NULL,
  quota_day TEXT NOT NULL,
  job_id TEXT,
  kind TEXT NOT NULL CHECK (kind IN ('reserve', 'commit', 'refund', 'grant', 'reset')),
  amount INTEGER NOT NULL,
  reserved_change INTEGER NOT NULL,
  actor_key TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
`;
