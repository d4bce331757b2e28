// PostgreSQL migration 2: every provider a job was tried at (failover), and what each accepted job cost the operator.

/** The same columns and table as SQLite's migration 4 (see ../sqlite/schema-v4.ts for what they mean). */
export const postgresSchemaV2 = `
ALTER TABLE jobs ADD COLUMN provider_attempts_json text;

CREATE TABLE provider_spend (
  job_id text PRIMARY KEY,
  provider text NOT NULL,
  model text NOT NULL,
  resolution text NOT NULL,
  requester_key text NOT NULL,
  community_key text,
  spend_day text NOT NULL,
  amount_micros bigint CHECK (amount_micros >= 0),
  unit text NOT NULL,
  source text NOT NULL CHECK (source IN ('reported', 'price', 'refunded', 'free', 'unknown')),
  accepted_at bigint NOT NULL,
  updated_at bigint NOT NULL
);

CREATE INDEX provider_spend_by_time ON provider_spend (accepted_at);
`;
