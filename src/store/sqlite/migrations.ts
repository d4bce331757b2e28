// The schema as numbered migrations, tracked with PRAGMA user_version and applied in one transaction on start.
import type { SqliteDatabase } from './database.ts';
import { schemaV1 } from './schema-v1.ts';
import { schemaV2 } from './schema-v2.ts';
import { schemaV3 } from './schema-v3.ts';
import { schemaV4 } from './schema-v4.ts';
import { schemaV5 } from './schema-v5.ts';

/** One schema step; `version` is what `user_version` becomes once its SQL has run. */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/** Every migration, oldest first. Append only: a released migration is never edited. */
export const migrations: readonly Migration[] = [
  { version: 1, description: 'jobs, stored references, quota accounts and the ledger', sql: schemaV1 },
  { version: 2, description: 'intakes: acknowledged requests not yet jobs', sql: schemaV2 },
  { version: 3, description: 'leases on jobs and intakes, announced queue places, shared event ids', sql: schemaV3 },
  { version: 4, description: 'providers tried per job (failover) and what each job cost the operator', sql: schemaV4 },
  { version: 5, description: 'community settings and their changes, the moderation log, job cancels, kept images', sql: schemaV5 },
];

/** The schema version this code expects. */
export const latestSchemaVersion = migrations.at(-1)?.version ?? 0;

/** The database's current schema version. */
export function schemaVersion(database: SqliteDatabase): number {
  return database.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies the migrations newer than the database's `user_version` and returns how many ran.
 * The version is read and written inside an IMMEDIATE transaction, so two processes starting on
 * the same file cannot both apply a step; a failing step leaves the database as it was.
 */
export function migrate(database: SqliteDatabase): number {
  const applyPending = database.transaction(() => {
    const current = schemaVersion(database);
    if (current > latestSchemaVersion) {
      throw new Error(
        `The database schema is version ${current} but this build knows up to ${latestSchemaVersion}; run a newer build.`,
      );
    }
    const pending = migrations.filter((migration) => migration.version > current);
    for (const migration of pending) {
      database.exec(migration.sql);
      database.pragma(`user_version = ${migration.version}`);
    }
    return pending.length;
  });
  return applyPending.immediate();
}
