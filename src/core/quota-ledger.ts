// The store seam for credits: each user's day, admin grants and resets, and the ledger rows that explain them.
import type { QuotaBalance } from './delivery.ts';

export type LedgerKind = 'reserve' | 'commit' | 'refund' | 'grant' | 'reset';

export interface LedgerEntry {
  id: number;
  requesterKey: string;
  jobId: string | null;
  kind: LedgerKind;
  /** Change of the available credits: reserve −cost, refund +cost, commit 0, grant +n, reset to the allowance. */
  amount: number;
  quotaDay: string;
  /** Who did it (admin key for grant/reset, requester for job rows). */
  actorKey: string;
  createdAt: number;
}

/** Credits per user per UTC day. */
export interface QuotaLedger {
  /** Available, reserved and reset time for `requesterKey` today. */
  balance(requesterKey: string, now: number): Promise<QuotaBalance>;
  /** Adds `amount` credits to today's balance. */
  grant(requesterKey: string, amount: number, actorKey: string, now: number): Promise<QuotaBalance>;
  /** Restores today's balance to the daily allowance (reservations in flight stay reserved). */
  reset(requesterKey: string, actorKey: string, now: number): Promise<QuotaBalance>;
  /** Latest ledger rows of `requesterKey`, newest first. */
  entries(requesterKey: string, limit?: number): Promise<LedgerEntry[]>;
  /**
   * Makes today's allowance of `requesterKey` `dailyCredits` when a community sets its own: an
   * unopened day opens with it (instead of DAILY_CREDITS); an open day with a lower allowance gets
   * the difference added (a `reset` ledger row by the daily-allowance actor) and its allowance
   * raised. An open day is never lowered. Idempotent.
   */
  applyAllowance(requesterKey: string, dailyCredits: number, now: number): Promise<void>;
}
