// Migration 5: each community's settings with their change log, the moderation log, cancels other processes watch, and kept images.

/**
 * `community_settings` holds one JSON document per community (read on every request, so one row,
 * not one per setting); every change is also appended to `community_settings_changes` with who
 * made it. `moderation_events` is the moderation log, read newest first per community or overall.
 * `job_cancels` tells the process holding a job that another process cancelled it: AUTOINCREMENT,
 * so an id is never reused after old rows are deleted and a watcher's "ids above N" stays true.
 * `job_images` keeps the posted image of a delivered job (for `/show`) out of the jobs table, so
 * job listings never read its bytes; it goes with its job (ON DELETE CASCADE) when retention purges it.
 */
export const schemaV5 = `
CREATE TABLE community_settings (
  community_key TEXT PRIMARY KEY,
  settings_json TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE community_settings_changes (
  id INTEGER PRIMARY KEY,
  community_key TEXT NOT NULL,
  actor_key TEXT NOT NULL,
  change_json TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX community_settings_changes_by_community ON community_settings_changes (community_key, id);

CREATE TABLE moderation_events (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('blocked', 'refused')),
  platform TEXT NOT NULL,
  community_key TEXT,
  channel_id TEXT,
  requester_key TEXT NOT NULL,
  prompt TEXT NOT NULL,
  detail TEXT NOT NULL,
  source TEXT NOT NULL,
  job_id TEXT,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX moderation_events_by_community ON moderation_events (community_key, id);
CREATE INDEX moderation_events_by_time ON moderation_events (created_at);

CREATE TABLE job_cancels (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX job_cancels_by_time ON job_cancels (created_at);

CREATE TABLE job_images (
  job_id TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
  data BLOB NOT NULL,
  mime_type TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
`;
