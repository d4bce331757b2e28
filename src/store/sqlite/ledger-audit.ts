// Checks every quota account day against its ledger: available = sum of amounts, reserved = sum of reserved changes.
import type { AccountScope } from './credit-book.ts';
import type { SqliteDatabase } from './database.ts';

/** One account day as stored next to what its ledger rows add up to. */
export interface AccountAudit {
  scope: AccountScope;
  accountKey: string;
  quotaDay: string;
  available: number;
  reserved: number;
  ledgerAvailable: number;
  ledgerReserved: number;
  /** Credits held by jobs still stored and not yet settled (jobs past retention are final, so never held). */
  heldByOpenJobs: number;
}

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

/** The account days whose stored credits disagree with their ledger or with the jobs holding them. */
export function unbalancedAccounts(audits: readonly AccountAudit[]): AccountAudit[] {
  return audits.filter(
    (audit) =>
      audit.available !== audit.ledgerAvailable
      || audit.reserved !== audit.ledgerReserved
      || audit.available < 0
      || audit.reserved !== audit.heldByOpenJobs,
  );
}
