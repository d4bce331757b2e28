// The PostgreSQL schema as numbered migrations, recorded in schema_migrations and applied under an advisory lock.
import type pg from 'pg';
import { inTransaction, migrationLock, transactionLockSql, type Queryable } from './postgres-connection.ts';
import { postgresSchemaV1 } from './postgres-schema-v1.ts';
import { postgresSchemaV2 } from './postgres-schema-v2.ts';
import { postgresSchemaV3 } from './postgres-schema-v3.ts';

/** One schema step; recorded in `schema_migrations` once its SQL has run. */
export interface PostgresMigration {
  version: number;
  description: string;
  sql: string;
}

/** Every migration, oldest first. Append only: a released migration is never edited. */
export const postgresMigrations: readonly PostgresMigration[] = [
  { version: 1, description: 'jobs with leases, stored references, quota accounts, the ledger, intakes and event ids', sql: postgresSchemaV1 },
  { version: 2, description: 'providers tried per job (failover) and what each job cost the operator', sql: postgresSchemaV2 },
  { version: 3, description: 'community settings and their changes, the moderation log, job cancels, kept images', sql: postgresSchemaV3 },
];

/** The schema version this code expects. */
export const latestPostgresSchemaVersion = postgresMigrations.at(-1)?.version ?? 0;

const createMigrationsTable = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  description text NOT NULL,
  applied_at bigint NOT NULL
)`;

/** The database's schema version (0 for an empty database). */
export async function postgresSchemaVersion(database: Queryable): Promise<number> {
  const table = await database.query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
  if (!table.rows[0]?.present) return 0;
  const result = await database.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
  return result.rows[0]?.version ?? 0;
}

/**
 * Applies the migrations the database has not recorded yet, in one transaction, and returns how
 * many ran. The transaction first takes an advisory lock, so processes starting at once apply each
 * step exactly once (the others wait, then find nothing to do); a failing step leaves the database
 * as it was. A database migrated by a newer build is refused, untouched.
 */
export async function migratePostgres(pool: pg.Pool, now = Date.now()): Promise<number> {
  return inTransaction(pool, async (client) => {
    await client.query(transactionLockSql(migrationLock));
    await client.query(createMigrationsTable);
    const current = await postgresSchemaVersion(client);
    if (current > latestPostgresSchemaVersion) {
      throw new Error(
        `The database schema is version ${current} but this build knows up to ${latestPostgresSchemaVersion}; run a newer build.`,
      );
    }
    const pending = postgresMigrations.filter((migration) => migration.version > current);
    for (const migration of pending) {
      // No parameters: the simple query protocol runs a migration's several statements in one call.
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, $2, $3)', [
        migration.version,
        migration.description,
        now,
      ]);
    }
    return pending.length;
  });
}
