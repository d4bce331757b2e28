// The database opens with WAL and the other pragmas, gets the schema once, and refuses a schema from the future.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { latestSchemaVersion, migrate, openDatabase, schemaVersion } from '../../src/store/index.ts';
import { at, openTestStore, temporaryFolder } from './store-fixtures.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function folder(): string {
  const created = temporaryFolder();
  cleanups.push(created.remove);
  return created.path;
}

function tableNames(database: Database.Database): string[] {
  return database
    .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all();
}

describe('openDatabase and migrations', () => {
  it('creates the folder and the schema on a fresh file, with WAL, busy timeout, foreign keys and NORMAL sync', () => {
    const path = join(folder(), 'nested', 'deeper', 'bot.db');
    const database = openDatabase(path);
    cleanups.push(() => database.close());
    expect(schemaVersion(database)).toBe(latestSchemaVersion);
    expect(latestSchemaVersion).toBeGreaterThanOrEqual(1);
    expect(tableNames(database)).toEqual(['intakes', 'job_references', 'jobs', 'quota_accounts', 'quota_ledger']);
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(database.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(database.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(database.pragma('synchronous', { simple: true })).toBe(1);
  });

  it('applies nothing twice when reopened, and keeps the data', () => {
    const path = join(folder(), 'bot.db');
    const first = openTestStore({ path });
    first.store.grant('discord:bob', 3, 'discord:admin', at('2026-11-21T10:00:00Z'));
    first.database.close();

    const second = openDatabase(path);
    cleanups.push(() => second.close());
    expect(migrate(second)).toBe(0);
    expect(schemaVersion(second)).toBe(latestSchemaVersion);
    const reopened = openTestStore({ path });
    cleanups.push(() => reopened.database.close());
    expect(reopened.store.balance('discord:bob', at('2026-11-21T11:00:00Z')).remaining).toBe(8);
  });

  it('lets several connections open the same file at once', () => {
    const path = join(folder(), 'bot.db');
    const connections = [openDatabase(path), openDatabase(path), openDatabase(path)];
    cleanups.push(() => connections.forEach((connection) => connection.close()));
    expect(connections.map(schemaVersion)).toEqual(connections.map(() => latestSchemaVersion));
  });

  it('works in memory', () => {
    const database = openDatabase(':memory:');
    cleanups.push(() => database.close());
    expect(schemaVersion(database)).toBe(latestSchemaVersion);
    expect(tableNames(database)).toContain('quota_ledger');
  });

  it('refuses a database written by a newer build, leaving it untouched', () => {
    const path = join(folder(), 'bot.db');
    const raw = new Database(path);
    raw.pragma(`user_version = ${latestSchemaVersion + 1}`);
    raw.close();
    expect(() => openDatabase(path)).toThrow(/schema is version \d+ but this build knows up to/);
    const check = new Database(path);
    cleanups.push(() => check.close());
    expect(tableNames(check)).toEqual([]);
  });
});
