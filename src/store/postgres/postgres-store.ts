// The PostgreSQL store: one object that is the JobStore, the QuotaLedger, the intakes and the community store, over one pool and one LISTEN connection.
import type pg from 'pg';
import type { QuotaPolicy } from '../../core/quota-policy.ts';
import type { BotStore } from '../store.ts';
import { createPostgresClaims } from './postgres-claims.ts';
import { createPostgresCommunity } from './postgres-community.ts';
import { createPool, defaultPoolSize } from './postgres-connection.ts';
import { createPostgresCreditBook } from './postgres-credit-book.ts';
import { createPostgresCreditReservations } from './postgres-credit-reservations.ts';
import { createPostgresEvents } from './postgres-events.ts';
import { createPostgresIntakes } from './postgres-intakes.ts';
import { createPostgresJobCancellation } from './postgres-job-cancellation.ts';
import { createPostgresJobStore } from './postgres-job-store.ts';
import { createPostgresJobTransitions } from './postgres-job-transitions.ts';
import { createPostgresKeptImages } from './postgres-kept-images.ts';
import { createPostgresProviderSpend } from './postgres-provider-spend.ts';
import { auditPostgresAccounts } from './postgres-ledger-audit.ts';
import { migratePostgres } from './postgres-migrations.ts';
import { createPostgresQuotaLedger } from './postgres-quota-ledger.ts';
import { createWorkListener } from './postgres-work-listener.ts';

/** How the store connects. */
export interface PostgresStoreOptions {
  /** Connections in the pool (default 10); each bot process has its own pool, plus one LISTEN connection. */
  poolSize?: number;
}

/** The PostgreSQL store, with its pool for PostgreSQL-only tests and tools. */
export interface PostgresStore extends BotStore {
  readonly kind: 'postgres';
  readonly pool: pg.Pool;
}

/**
 * Opens a pool on `url`, applies pending migrations (safe when several processes start at once),
 * and builds the store. Many processes may share the database: credit movements are conditional
 * updates, claim passes are serialized by an advisory lock, and every write after a claim is fenced
 * by the lease's epoch.
 */
export async function openPostgresStore(url: string, policy: QuotaPolicy, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
  const pool = createPool(url, options.poolSize ?? defaultPoolSize);
  try {
    await migratePostgres(pool);
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  const book = createPostgresCreditBook(policy);
  const { steps, ...reservations } = createPostgresCreditReservations(pool, book, policy);
  const { stopWatchers, ...cancellation } = createPostgresJobCancellation(pool, steps);
  const listener = createWorkListener(url);
  let closing: Promise<void> | undefined;
  return {
    kind: 'postgres',
    pool,
    ...createPostgresJobStore(pool, steps),
    ...createPostgresJobTransitions(pool, steps),
    ...cancellation,
    ...createPostgresKeptImages(pool),
    ...createPostgresCommunity(pool),
    ...createPostgresClaims(pool),
    ...createPostgresEvents(pool),
    ...createPostgresProviderSpend(pool),
    watchForWork: (onWork) => listener.subscribe(onWork),
    ...createPostgresQuotaLedger(pool, book, policy),
    ...reservations,
    ...createPostgresIntakes(pool),
    auditAccounts: () => auditPostgresAccounts(pool),
    close() {
      // pool.end() waits for connections in use to be released, so calls in flight finish first.
      stopWatchers();
      closing ??= Promise.all([listener.close(), pool.end()]).then(() => undefined);
      return closing;
    },
  };
}
