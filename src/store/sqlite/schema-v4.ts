// Migration 4: every provider a job was tried at (failover), and what each accepted job cost the operator.

/**
 * `provider_attempts_json` lists the providers tried or passed over for a job's create call, in
 * order (NULL: none recorded yet). `provider_spend` has one row per job a provider accepted: the
 * cost in the provider's own unit (`amount_micros` in millionths; NULL when unknown, never 0 for
 * unknown), where the figure comes from, and what spend reports group by. Like the ledger it has
 * no foreign key to jobs: retention deletes jobs and keeps what they cost.
 */
export const schemaV4 = `
ALTER TABLE jobs ADD COLUMN provider_attempts_json TEXT;

CREATE TABLE provider_spend (
  job_id TEXT PRIMARY KEY,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  resolution TEXT NOT NULL,
  requester_key TEXT NOT NULL,
  community_key TEXT,
  spend_day TEXT NOT NULL,
  amount_micros INTEGER CHECK (amount_micros >= 0),
  unit TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('reported', 'price', 'refunded', 'free', 'unknown')),
  accepted_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE INDEX provider_spend_by_time ON provider_spend (accepted_at);
`;
