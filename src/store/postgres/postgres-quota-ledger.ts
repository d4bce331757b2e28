// The QuotaLedger over PostgreSQL: balances, admin grants and resets, and the ledger rows that explain them.
import type pg from 'pg';
import type { QuotaBalance } from '../../core/delivery.ts';
import type { QuotaLedger } from '../../core/job-store.ts';
import { utcDay, type QuotaPolicy } from '../../core/quota-policy.ts';
import { defaultEntryLimit } from '../ledger-rows.ts';
import { checkAllowance, checkGrantAmount, quotaBalance } from '../quota-ledger-rules.ts';
import type { StoredLedgerEntry } from '../store.ts';
import { inTransaction } from './postgres-connection.ts';
import type { PostgresCreditBook } from './postgres-credit-book.ts';

/** The QuotaLedger, with ledger rows that also carry their change of reserved credits. */
export interface PostgresQuotaLedger extends QuotaLedger {
  entries(requesterKey: string, limit?: number): Promise<StoredLedgerEntry[]>;
}

// One statement, so today's row and the in-flight total come from the same snapshot.
const balanceSql = `
SELECT (SELECT available FROM quota_accounts WHERE scope = 'user' AND account_key = $1 AND quota_day = $2) AS available,
       (SELECT allowance FROM quota_accounts WHERE scope = 'user' AND account_key = $1 AND quota_day = $2) AS allowance,
       (SELECT coalesce(sum(reserved), 0) FROM quota_accounts WHERE scope = 'user' AND account_key = $1 AND reserved > 0) AS reserved`;

/** Builds the ledger over `book`; each write runs in one transaction. */
export function createPostgresQuotaLedger(pool: pg.Pool, book: PostgresCreditBook, policy: QuotaPolicy): PostgresQuotaLedger {
  const balance = async (requesterKey: string, now: number): Promise<QuotaBalance> => {
    const result = await pool.query<{ available: number | null; allowance: number | null; reserved: number }>(balanceSql, [requesterKey, utcDay(now)]);
    const row = result.rows[0];
    return quotaBalance(policy, requesterKey, now, {
      available: row?.available ?? undefined,
      allowance: row?.allowance ?? undefined,
      reserved: row?.reserved ?? 0,
    });
  };

  return {
    balance,
    async grant(requesterKey, amount, actorKey, now) {
      checkGrantAmount(amount);
      await inTransaction(pool, (client) => book.adjust(client, 'grant', { scope: 'user', key: requesterKey, day: utcDay(now) }, amount, actorKey, now));
      return balance(requesterKey, now);
    },
    async reset(requesterKey, actorKey, now) {
      const account = { scope: 'user' as const, key: requesterKey, day: utcDay(now) };
      await inTransaction(pool, async (client) => {
        // The row is locked between reading and adjusting, so a reservation from another process cannot
        // slip in between and make the day end somewhere other than the allowance.
        await book.openDay(client, account, now);
        // Back to what the day opened with or was raised to (a community's own daily credits), not the policy's.
        const day = await book.account(client, account, true);
        const allowance = day?.allowance ?? policy.dailyCredits;
        // Written even when the delta is 0, so the ledger shows that an admin reset the day.
        await book.adjust(client, 'reset', account, allowance - (day?.available ?? allowance), actorKey, now);
      });
      return balance(requesterKey, now);
    },
    async applyAllowance(requesterKey, dailyCredits, now) {
      checkAllowance(dailyCredits);
      const account = { scope: 'user' as const, key: requesterKey, day: utcDay(now) };
      await inTransaction(pool, async (client) => {
        // An unopened day opens with the community's credits; an open one is raised (under its row lock), never lowered.
        if (await book.openDay(client, account, now, dailyCredits)) return;
        await book.raiseAllowance(client, account, dailyCredits, now);
      });
    },
    entries: (requesterKey, limit = defaultEntryLimit) => book.entries(pool, 'user', requesterKey, limit),
  };
}
