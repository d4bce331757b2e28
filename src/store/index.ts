// The SQLite store's entry point: one object that is both the JobStore and the QuotaLedger, sharing transactions.
import type { Config } from '../config.ts';
import type { IntakeStore } from '../core/job-store.ts';
import { createQuotaPolicy, type QuotaPolicy } from '../core/quota-policy.ts';
import { createCreditBook } from './credit-book.ts';
import { createCreditReservations, type CreditReservations } from './credit-reservations.ts';
import { openDatabase, type SqliteDatabase } from './database.ts';
import { createSqliteJobStore, type SqliteJobStore } from './sqlite-job-store.ts';
import { createSqliteIntakes } from './sqlite-intakes.ts';
import { createSqliteQuotaLedger, type SqliteQuotaLedger } from './sqlite-quota-ledger.ts';

export type { AccountScope, StoredLedgerEntry } from './credit-book.ts';
export type { CreditReservations, Reservation, ReservationRequest } from './credit-reservations.ts';
export { openDatabase, type SqliteDatabase } from './database.ts';
export { auditQuotaAccounts, unbalancedAccounts, type AccountAudit } from './ledger-audit.ts';
export { latestSchemaVersion, migrate, schemaVersion } from './migrations.ts';
export type { RecentJobsFilter } from './sqlite-job-store.ts';

/** Jobs, quotas and the standalone reserve/commit/refund pair, all over one connection. */
export type SqliteStore = SqliteJobStore & SqliteQuotaLedger & CreditReservations & IntakeStore;

export interface SqliteStoreOptions {
  /** An open, migrated connection (see `openDatabase`). */
  database: SqliteDatabase;
  policy: QuotaPolicy;
}

/**
 * Builds the store over `database`. Every statement is prepared here, once. Several stores (in
 * other threads or processes) may share one database file: writes take the lock up front and
 * reservations are conditional updates, so they never overspend.
 */
export function createSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const { database, policy } = options;
  const book = createCreditBook(database, policy);
  const { steps, ...reservations } = createCreditReservations(database, book, policy);
  return {
    ...createSqliteJobStore(database, steps),
    ...createSqliteQuotaLedger(database, book, policy),
    ...reservations,
    ...createSqliteIntakes(database),
  };
}

/** An opened store with its connection, for `main.ts`, the admin CLI and the benchmark. */
export interface OpenedStore {
  store: SqliteStore;
  policy: QuotaPolicy;
  database: SqliteDatabase;
  /** Closes the connection (checkpointing the WAL). */
  close(): void;
}

/** Opens `config.databasePath` (creating it and its folder), migrates it, and builds the store and policy from `config`. */
export function openStore(config: Pick<Config, 'databasePath' | 'quota'>): OpenedStore {
  const database = openDatabase(config.databasePath);
  const policy = createQuotaPolicy(config.quota);
  return { store: createSqliteStore({ database, policy }), policy, database, close: () => database.close() };
}
