// Opens the configured store: SQLite at DATABASE_PATH by default, PostgreSQL when DATABASE_URL is set.
import type { Config } from '../config.ts';
import { createQuotaPolicy, type QuotaPolicy } from '../core/quota-policy.ts';
import { openPostgresStore } from './postgres/postgres-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { BotStore } from './store.ts';

export type {
  AccountAudit,
  AccountScope,
  BotStore,
  CreditReservations,
  RecentJobsFilter,
  Reservation,
  ReservationRequest,
  StoredLedgerEntry,
} from './store.ts';
export { unbalancedAccounts } from './store.ts';
export { createSqliteStore, openSqliteStore, type SqliteStore } from './sqlite/sqlite-store.ts';
export { openDatabase, type SqliteDatabase } from './sqlite/database.ts';
export { latestSchemaVersion, migrate, schemaVersion } from './sqlite/migrations.ts';
export { openPostgresStore, type PostgresStore, type PostgresStoreOptions } from './postgres/postgres-store.ts';
export { latestPostgresSchemaVersion, migratePostgres, postgresSchemaVersion } from './postgres/postgres-migrations.ts';

/** An opened store with the quota policy it was built with, for `main.ts`, the admin CLI and the benchmark. */
export interface OpenedStore {
  store: BotStore;
  policy: QuotaPolicy;
  /** Closes the connection(s) (SQLite: checkpointing the WAL). */
  close(): Promise<void>;
}

/** Opens the database `config` names, migrates it, and builds the store and policy from `config`. */
export async function openStore(config: Pick<Config, 'database' | 'quota'>): Promise<OpenedStore> {
  const policy = createQuotaPolicy(config.quota);
  const store = config.database.kind === 'postgres'
    ? await openPostgresStore(config.database.url, policy)
    : openSqliteStore(config.database.path, policy);
  return { store, policy, close: () => store.close() };
}
