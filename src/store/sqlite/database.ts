// Opens the bot's SQLite database with the pragmas every connection needs, and brings its schema up to date.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations.ts';

/** A better-sqlite3 connection. */
export type SqliteDatabase = Database.Database;

/** How long a connection waits for another connection's write lock before failing with SQLITE_BUSY. */
export const busyTimeoutMs = 5000;

/** WAL pages written before a connection checkpoints. */
const walAutocheckpointPages = 10_000;

function isInMemory(path: string): boolean {
  return path === ':memory:' || path === '' || path.startsWith('file::memory:');
}

/** How long opening keeps retrying while another process holds the file's lock (switching to WAL, migrating). */
const openRetryMs = 20_000;

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * Opens (creating it and its folder when missing) the database at `path` (`:memory:` allowed),
 * sets WAL mode, `busy_timeout`, foreign keys and `synchronous = NORMAL`, and applies pending
 * migrations. Safe to call from several processes on the same file at once: SQLite answers
 * SQLITE_BUSY without waiting in some of these steps (the switch to WAL while another connection
 * sets the file up), so the whole open is retried until `openRetryMs` has passed.
 */
export function openDatabase(path: string): SqliteDatabase {
  const deadline = Date.now() + openRetryMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return openOnce(path);
    } catch (error) {
      if (!isBusy(error) || Date.now() > deadline) throw error;
      // A synchronous pause is fine here: opening happens once, at start-up, before anything else runs.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(250, 20 * attempt));
    }
  }
}

function openOnce(path: string): SqliteDatabase {
  if (!isInMemory(path)) mkdirSync(dirname(path), { recursive: true });
  const database = new Database(path);
  try {
    // busy_timeout first: switching to WAL needs a lock another process may briefly hold.
    database.pragma(`busy_timeout = ${busyTimeoutMs}`);
    database.pragma('journal_mode = WAL');
    // NORMAL is durable across process crashes in WAL mode; only an OS crash can lose the last commits.
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
    // Checkpoints (and their fsyncs) every ~40 MB of WAL instead of every 4 MB: at thousands of ledger
    // writes a second the fsync wait, not the writing, was the cost. The limit trims the file afterwards.
    database.pragma(`wal_autocheckpoint = ${walAutocheckpointPages}`);
    database.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
    migrate(database);
  } catch (error) {
    database.close();
    throw error;
  }
  return database;
}
