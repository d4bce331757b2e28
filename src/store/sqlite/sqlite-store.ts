// The SQLite store: one object that is the JobStore, the QuotaLedger, the intakes and the community store, sharing one connection's transactions.
import type { QuotaPolicy } from '../../core/quota-policy.ts';
import type { BotStore } from '../store.ts';
import { createCreditBook } from './credit-book.ts';
import { createCreditReservations } from './credit-reservations.ts';
import { openDatabase, type SqliteDatabase } from './database.ts';
import { auditQuotaAccounts } from './ledger-audit.ts';
import { createSqliteClaims } from './sqlite-claims.ts';
import { createSqliteCommunity } from './sqlite-community.ts';
import { createSqliteEvents } from './sqlite-events.ts';
import { createSqliteIntakes } from './sqlite-intakes.ts';
import { createSqliteJobCancellation } from './sqlite-job-cancellation.ts';
import { createSqliteJobStore } from './sqlite-job-store.ts';
import { createSqliteKeptImages } from './sqlite-kept-images.ts';
import { createSqliteProviderSpend } from './sqlite-provider-spend.ts';
import { createSqliteQuotaLedger } from './sqlite-quota-ledger.ts';

export interface SqliteStoreOptions {
  /** An open, migrated connection (see `openDatabase`). */
  database: SqliteDatabase;
  policy: QuotaPolicy;
}

/** The SQLite store, with its connection for SQLite-only tests and tools. */
export interface SqliteStore extends BotStore {
  readonly kind: 'sqlite';
  readonly database: SqliteDatabase;
}

/**
 * Builds the store over `database`. Every statement is prepared here, once. Several stores (in
 * other threads or processes) may share one database file: writes take the lock up front and
 * reservations are conditional updates, so they never overspend. The methods are async only to
 * honour the shared contract: better-sqlite3 runs each one synchronously, in its own transaction.
 */
export function createSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const { database, policy } = options;
  const book = createCreditBook(database, policy);
  const { steps, ...reservations } = createCreditReservations(database, book, policy);
  const { keep, ...keptImages } = createSqliteKeptImages(database);
  const { stopWatchers, ...cancellation } = createSqliteJobCancellation(database, steps);
  return {
    kind: 'sqlite',
    database,
    ...createSqliteJobStore(database, steps, { keep }),
    ...keptImages,
    ...cancellation,
    ...createSqliteCommunity(database),
    ...createSqliteQuotaLedger(database, book, policy),
    ...reservations,
    ...createSqliteIntakes(database),
    ...createSqliteClaims(database),
    ...createSqliteEvents(database),
    ...createSqliteProviderSpend(database),
    auditAccounts: async () => auditQuotaAccounts(database),
    close: async () => {
      stopWatchers();
      if (database.open) database.close();
    },
  };
}

/** Opens (creating it and its folder) and migrates the SQLite file at `path`, then builds the store. */
export function openSqliteStore(path: string, policy: QuotaPolicy): SqliteStore {
  return createSqliteStore({ database: openDatabase(path), policy });
}
