// Migration 3: leases (which process works on each job and intake), the shared line's announced places, event ids.

/**
 * Jobs and intakes get a lease: `lease_owner` (a process), `lease_expires_at` (ms) and
 * `lease_epoch`, the fencing token every later write names. `submit_started_at` marks a create
 * call in flight (its outcome is unknown if the process dies). `queue_position`/`queue_reason`
 * record the place last told to a waiting job's user, so each change is told once. `platform`
 * lets a process claim only what it can deliver. `event_keys` is the shared memory of platform
 * event ids, so a redelivered event is handled once across processes.
 */
export const schemaV3 = `
ALTER TABLE jobs ADD COLUMN platform TEXT NOT NULL DEFAULT '';
UPDATE jobs SET platform = substr(requester_key, 1, instr(requester_key, ':') - 1);
ALTER TABLE jobs ADD COLUMN lease_owner TEXT;
ALTER TABLE jobs ADD COLUMN lease_epoch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN lease_expires_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN submit_started_at INTEGER;
ALTER TABLE jobs ADD COLUMN queue_position INTEGER;
ALTER TABLE jobs ADD COLUMN queue_reason TEXT;
CREATE INDEX jobs_in_flight ON jobs (lease_expires_at) WHERE state IN ('queued', 'submitted', 'running', 'succeeded');

ALTER TABLE intakes ADD COLUMN payload_json TEXT;
ALTER TABLE intakes ADD COLUMN platform TEXT NOT NULL DEFAULT '';
UPDATE intakes SET platform = json_extract(origin_json, '$.platform');
ALTER TABLE intakes ADD COLUMN lease_owner TEXT;
ALTER TABLE intakes ADD COLUMN lease_epoch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE intakes ADD COLUMN lease_expires_at INTEGER NOT NULL DEFAULT 0;

CREATE TABLE event_keys (
  key TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
`;
