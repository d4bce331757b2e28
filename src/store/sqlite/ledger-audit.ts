// Checks every quota account day against its ledger: available = sum of amounts, reserved = sum of reserved changes.
import type { AccountAudit } from '../store.ts';
import type { SqliteDatabase } from './database.ts';

/** The audit of every account day, oldest first; an account is sound when the four numbers pair up. */
export function auditQuotaAccounts(database: SqliteDatabase): AccountAudit[] {
  const read = database.transaction(() =>
    database
      .prepare<[], AccountAudit>(
        `SELECT a.scope AS scope, a.account_key AS accountKey, a.quota_day AS quotaDay, a.available AS available,
           a.reserved AS reserved,
           coalesce((SELECT sum(l.amount) FROM quota_ledger l
             WHERE l.scope = a.scope AND l.account_key = a.account_key AND l.quota_day = a.quota_day), 0) AS ledgerAvailable,
           coalesce((SELECT sum(l.reserved_change) FROM quota_ledger l
             WHERE l.scope = a.scope AND l.account_key = a.account_key AND l.quota_day = a.quota_day), 0) AS ledgerReserved,
           coalesce(CASE a.scope
             WHEN 'user' THEN (SELECT sum(j.cost) FROM jobs j WHERE j.requester_key = a.account_key
               AND j.quota_day = a.quota_day AND j.state NOT IN ('failed', 'delivered'))
             ELSE (SELECT sum(j.community_cost) FROM jobs j WHERE j.community_key = a.account_key
               AND j.quota_day = a.quota_day AND j.state NOT IN ('failed', 'delivered'))
           END, 0) AS heldByOpenJobs
         FROM quota_accounts a ORDER BY a.quota_day, a.scope, a.account_key`,
      )
      .all(),
  );
  return read();
}
