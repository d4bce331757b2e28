// Shared memory of platform event ids, and the cheap change check that tells this process another one wrote.
import type { JobStore } from '../../core/job-store.ts';
import type { SqliteDatabase } from './database.ts';

/** How often another process's commits are looked for (one PRAGMA read, no table access). */
export const changeCheckIntervalMs = 250;

/** Event ids, and `watchForWork` by `PRAGMA data_version` (it changes when another connection commits). */
export function createSqliteEvents(database: SqliteDatabase): Pick<JobStore, 'rememberEvent' | 'forgetEvent' | 'watchForWork'> {
  const insert = database.prepare(
    `INSERT INTO event_keys (key, expires_at) VALUES (@key, @expiresAt)
     ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE event_keys.expires_at <= @now`,
  );
  const purge = database.prepare('DELETE FROM event_keys WHERE expires_at <= ?');
  const remove = database.prepare('DELETE FROM event_keys WHERE key = ?');
  let writes = 0;

  return {
    async rememberEvent(key, now, ttlMs) {
      const fresh = insert.run({ key, expiresAt: now + ttlMs, now }).changes === 1;
      // Expired ids are cleared now and then, not on every event.
      writes += 1;
      if (writes % 500 === 0) purge.run(now);
      return fresh;
    },
    async forgetEvent(key) {
      remove.run(key);
    },
    watchForWork(onWork) {
      let seen = database.pragma('data_version', { simple: true }) as number;
      const timer = setInterval(() => {
        if (!database.open) return;
        const current = database.pragma('data_version', { simple: true }) as number;
        if (current === seen) return;
        seen = current;
        onWork();
      }, changeCheckIntervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
