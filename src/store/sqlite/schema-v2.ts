// Migration 2: intakes, the requests a platform was answered for before they became jobs.

/**
 * One row per acknowledged request that is not a job yet. Creating the job deletes the row in the
 * same transaction; a row still here at start-up means the bot died in between, and the user's
 * pending message is ended with an explanation.
 */
export const schemaV2 = `
CREATE TABLE intakes (
  dedupe_key TEXT PRIMARY KEY,
  origin_json TEXT NOT NULL,
  prompt TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
`;
