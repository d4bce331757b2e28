// PostgreSQL migration 1: the whole schema SQLite reached in its migrations 1–3, with the same tables and column names.

/**
 * Mirrors the SQLite schema (see ../sqlite/schema-v1.ts … schema-v3.ts for what each table means),
 * with PostgreSQL types: times are bigint milliseconds, bytes are bytea. `seq` columns give the
 * insertion order SQLite gets from its rowid, the tiebreak after `created_at` in every FIFO.
 *
 * Image bytes are stored EXTERNAL (out of line, uncompressed): PNG/JPEG/WebP are compressed
 * already, so TOAST's compression would only cost CPU on every write.
 *
 * Unlike SQLite's, the ledger has an index per account: PostgreSQL has no cheap walk back from the
 * newest row filtered by account, and `entries` and the quota reads must not scan the whole ledger.
 */
export const postgresSchemaV1 = `
CREATE TABLE jobs (
  seq bigserial NOT NULL,
  id text PRIMARY KEY,
  dedupe_key text UNIQUE,
  state text NOT NULL CHECK (state IN ('queued', 'submitted', 'running', 'succeeded', 'failed', 'delivered')),
  requester_key text NOT NULL,
  community_key text,
  platform text NOT NULL,
  provider text NOT NULL,
  model text NOT NULL,
  request_json text NOT NULL,
  origin_json text NOT NULL,
  task_id text,
  progress double precision,
  cost integer NOT NULL CHECK (cost >= 0),
  community_cost integer NOT NULL DEFAULT 0 CHECK (community_cost >= 0),
  quota_day text NOT NULL,
  error_json text,
  result_url text,
  result_data bytea,
  result_mime text,
  delivered_message_id text,
  lease_owner text,
  lease_epoch integer NOT NULL DEFAULT 0,
  lease_expires_at bigint NOT NULL DEFAULT 0,
  submit_started_at bigint,
  queue_position integer,
  queue_reason text,
  created_at bigint NOT NULL,
  submitted_at bigint,
  finished_at bigint,
  updated_at bigint NOT NULL
);
ALTER TABLE jobs ALTER COLUMN result_data SET STORAGE EXTERNAL;

CREATE INDEX jobs_by_state ON jobs (state, created_at, seq);
CREATE INDEX jobs_by_requester ON jobs (requester_key, state);
CREATE INDEX jobs_by_created ON jobs (created_at);
CREATE INDEX jobs_in_flight ON jobs (lease_expires_at) WHERE state IN ('queued', 'submitted', 'running', 'succeeded');

CREATE TABLE job_references (
  job_id text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  position integer NOT NULL,
  data bytea,
  url text,
  filename text,
  source text NOT NULL,
  mime_type text,
  PRIMARY KEY (job_id, position)
);
ALTER TABLE job_references ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TABLE quota_accounts (
  scope text NOT NULL CHECK (scope IN ('user', 'community')),
  account_key text NOT NULL,
  quota_day text NOT NULL,
  allowance integer NOT NULL,
  available integer NOT NULL CHECK (available >= 0),
  reserved integer NOT NULL CHECK (reserved >= 0),
  updated_at bigint NOT NULL,
  PRIMARY KEY (scope, account_key, quota_day)
);

CREATE TABLE quota_ledger (
  id bigserial PRIMARY KEY,
  scope text NOT NULL CHECK (scope IN ('user', 'community')),
  account_key text NOT NULL,
  quota_day text NOT NULL,
  job_id text,
  kind text NOT NULL CHECK (kind IN ('reserve', 'commit', 'refund', 'grant', 'reset')),
  amount integer NOT NULL,
  reserved_change integer NOT NULL,
  actor_key text NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX quota_ledger_by_account ON quota_ledger (scope, account_key, id);

CREATE TABLE intakes (
  seq bigserial NOT NULL,
  dedupe_key text PRIMARY KEY,
  origin_json text NOT NULL,
  prompt text NOT NULL,
  payload_json text,
  platform text NOT NULL,
  lease_owner text,
  lease_epoch integer NOT NULL DEFAULT 0,
  lease_expires_at bigint NOT NULL DEFAULT 0,
  created_at bigint NOT NULL
);

CREATE TABLE event_keys (
  key text PRIMARY KEY,
  expires_at bigint NOT NULL
);
`;
