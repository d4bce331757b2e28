// The QuotaLedger over SQLite: balances, admin grants and resets, and the ledger rows that explain them.
import type { QuotaBalance } from '../../core/delivery.ts';
import type { QuotaLedger } from '../../core/job-store.ts';
import { utcDay, type QuotaPolicy } from '../../core/quota-policy.ts';
import { defaultEntryLimit } from '../ledger-rows.ts';
import { checkAllowance, checkGrantAmount, quotaBalance } from '../quota-ledger-rules.ts';
import type { StoredLedgerEntry } from '../store.ts';
import type { CreditBook } from './credit-book.ts';
import type { SqliteDatabase } from './database.ts';

/** The QuotaLedger, with ledger rows that also carry their change of reserved credits. */
export interface SqliteQuotaLedger extends QuotaLedger {
  entries(requesterKey: string, limit?: number): Promise<StoredLedgerEntry[]>;
}

/** Builds the ledger over `book`; reads and writes each run in one transaction. */
export function createSqliteQuotaLedger(database: SqliteDatabase, book: CreditBook, policy: QuotaPolicy): SqliteQuotaLedger {
  // A read transaction so today's row and the in-flight total come from the same snapshot.
  const balance = database.transaction((requesterKey: string, now: number): QuotaBalance => {
    const today = book.account('user', requesterKey, utcDay(now));
    return quotaBalance(policy, requesterKey, now, {
      available: today?.available,
      allowance: today?.allowance,
      reserved: book.reservedTotal('user', requesterKey),
    });
  });

  const grant = database.transaction((requesterKey: string, amount: number, actorKey: string, now: number) => {
    book.adjust('grant', 'user', requesterKey, utcDay(now), amount, actorKey, now);
  });

  const reset = database.transaction((requesterKey: string, actorKey: string, now: number) => {
    const day = utcDay(now);
    book.openDay('user', requesterKey, day, now);
    // Back to what the day opened with or was raised to (a community's own daily credits), not the policy's.
    const { allowance, available } = book.account('user', requesterKey, day) ?? { allowance: policy.dailyCredits, available: policy.dailyCredits };
    // Written even when the delta is 0, so the ledger shows that an admin reset the day.
    book.adjust('reset', 'user', requesterKey, day, allowance - available, actorKey, now);
  });

  const applyAllowance = database.transaction((requesterKey: string, dailyCredits: number, now: number) => {
    const day = utcDay(now);
    // An unopened day opens with the community's credits; an open one is raised, never lowered.
    if (book.openDay('user', requesterKey, day, now, dailyCredits)) return;
    book.raiseAllowance('user', requesterKey, day, dailyCredits, now);
  });

  return {
    balance: async (requesterKey, now) => balance(requesterKey, now),
    async grant(requesterKey, amount, actorKey, now) {
      checkGrantAmount(amount);
      grant.immediate(requesterKey, amount, actorKey, now);
      return balance(requesterKey, now);
    },
    async reset(requesterKey, actorKey, now) {
      reset.immediate(requesterKey, actorKey, now);
      return balance(requesterKey, now);
    },
    async applyAllowance(requesterKey, dailyCredits, now) {
      checkAllowance(dailyCredits);
      applyAllowance.immediate(requesterKey, dailyCredits, now);
    },
    entries: async (requesterKey, limit = defaultEntryLimit) => book.entries('user', requesterKey, limit),
  };
}
