// PostgreSQL migration 3: each community's settings with their change log, the moderation log, cancels other processes watch, and kept images.

/**
 * The same tables as SQLite's migration 5 (see ../sqlite/schema-v5.ts for what they mean), with
 * PostgreSQL types. `job_cancels` ids come from a sequence; cancels insert them one at a time
 * under an advisory lock (see postgres-job-cancellation.ts), so they commit in id order and a
 * watcher reading "ids above N" never skips one committed late. Kept image bytes are stored
 * EXTERNAL like the other image columns: they are compressed already.
 */
export const postgresSchemaV3 = `
CREATE TABLE community_settings (
  community_key text PRIMARY KEY,
  settings_json text NOT NULL,
  updated_at bigint NOT NULL
);

CREATE TABLE community_settings_changes (
  id bigserial PRIMARY KEY,
  community_key text NOT NULL,
  actor_key text NOT NULL,
  change_json text NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX community_settings_changes_by_community ON community_settings_changes (community_key, id);

CREATE TABLE moderation_events (
  id bigserial PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('blocked', 'refused')),
  platform text NOT NULL,
  community_key text,
  channel_id text,
  requester_key text NOT NULL,
  prompt text NOT NULL,
  detail text NOT NULL,
  source text NOT NULL,
  job_id text,
  created_at bigint NOT NULL
);
CREATE INDEX moderation_events_by_community ON moderation_events (community_key, id);
CREATE INDEX moderation_events_by_time ON moderation_events (created_at);

CREATE TABLE job_cancels (
  id bigserial PRIMARY KEY,
  job_id text NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX job_cancels_by_time ON job_cancels (created_at);

CREATE TABLE job_images (
  job_id text PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
  data bytea NOT NULL,
  mime_type text NOT NULL,
  created_at bigint NOT NULL
);
ALTER TABLE job_images ALTER COLUMN data SET STORAGE EXTERNAL;
`;
