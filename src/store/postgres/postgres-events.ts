// Shared memory of platform event ids in PostgreSQL, so a redelivered event is handled once across processes.
import type pg from 'pg';
import type { JobStore } from '../../core/job-store.ts';

/** How many remembered events pass between two sweeps of expired ids. */
export const eventPurgeInterval = 500;

// An expired row counts as absent: it is replaced (and the event handled again) instead of refused.
const rememberSql = `
INSERT INTO event_keys (key, expires_at) VALUES ($1, $2)
ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE event_keys.expires_at <= $3`;

/** Builds `rememberEvent` over `pool`. */
export function createPostgresEvents(pool: pg.Pool): Pick<JobStore, 'rememberEvent' | 'forgetEvent'> {
  let remembered = 0;
  return {
    async rememberEvent(key, now, ttlMs) {
      const result = await pool.query(rememberSql, [key, now + ttlMs, now]);
      // Expired ids are cleared now and then, not on every event.
      remembered += 1;
      if (remembered % eventPurgeInterval === 0) await pool.query('DELETE FROM event_keys WHERE expires_at <= $1', [now]);
      return result.rowCount === 1;
    },
    async forgetEvent(key) {
      await pool.query('DELETE FROM event_keys WHERE key = $1', [key]);
    },
  };
}
