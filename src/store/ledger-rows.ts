// Ledger rows as both stores read them back: the `quota_ledger` columns and their mapping to the store's ledger entries.
import type { LedgerKind } from '../core/job-store.ts';
import type { AccountScope, StoredLedgerEntry } from './store.ts';

/** How many ledger rows `entries` returns when no limit is given. */
export const defaultEntryLimit = 50;

/** A `quota_ledger` row; PostgreSQL's columns are named and typed as SQLite's (bigint parsed to numbers). */
export interface LedgerRow {
  /** Insertion order: newer rows have larger ids. */
  id: number;
  /** Whose account the row moves: a user's day or a community's cap. */
  scope: AccountScope;
  /** The platform-qualified user or community. */
  account_key: string;
  /** The job the movement belongs to; null for day openings, grants and resets. */
  job_id: string | null;
  /** What happened: reserve, commit, refund, grant or reset. */
  kind: LedgerKind;
  /** Change of the available credits. */
  amount: number;
  /** Change of the reserved credits. */
  reserved_change: number;
  /** The UTC day of the account the row belongs to. */
  quota_day: string;
  /** Who caused it: the requester, an admin, or the daily allowance. */
  actor_key: string;
  /** When it was written (ms since the epoch). */
  created_at: number;
}

/** The store's view of one ledger row. */
export function toLedgerEntry(row: LedgerRow): StoredLedgerEntry {
  return {
    id: row.id,
    scope: row.scope,
    requesterKey: row.account_key,
    jobId: row.job_id,
    kind: row.kind,
    amount: row.amount,
    reservedChange: row.reserved_change,
    quotaDay: row.quota_day,
    actorKey: row.actor_key,
    createdAt: row.created_at,
  };
}
