// Checks every quota account day in PostgreSQL against its ledger and against the jobs still holding its credits.
import type { AccountAudit } from '../store.ts';
import type { Queryable } from './postgres-connection.ts';

// One statement, so the accounts, the ledger and the jobs come from the same snapshot. Sums are grouped
// once over each table rather than per account, which keeps the audit linear in the ledger's size.
// COLLATE "C" orders the keys byte-wise, as SQLite does, whatever the database's locale.
const auditSql = `
WITH ledger AS (
  SELECT scope, account_key, quota_day, sum(amount) AS available, sum(reserved_change) AS reserved
  FROM quota_ledger GROUP BY scope, account_key, quota_day),
open_jobs AS (
  SELECT requester_key, community_key, quota_day, cost, community_cost FROM jobs WHERE state NOT IN ('failed', 'delivered')),
held_by_users AS (
  SELECT requester_key AS account_key, quota_day, sum(cost) AS held FROM open_jobs GROUP BY requester_key, quota_day),
held_by_communities AS (
  SELECT community_key AS account_key, quota_day, sum(community_cost) AS held FROM open_jobs
  WHERE community_key IS NOT NULL GROUP BY community_key, quota_day)
SELECT a.scope AS "scope", a.account_key AS "accountKey", a.quota_day AS "quotaDay", a.available AS "available",
  a.reserved AS "reserved", coalesce(l.available, 0) AS "ledgerAvailable", coalesce(l.reserved, 0) AS "ledgerReserved",
  coalesce(CASE a.scope WHEN 'user' THEN u.held ELSE c.held END, 0) AS "heldByOpenJobs"
FROM quota_accounts a
LEFT JOIN ledger l ON l.scope = a.scope AND l.account_key = a.account_key AND l.quota_day = a.quota_day
LEFT JOIN held_by_users u ON a.scope = 'user' AND u.account_key = a.account_key AND u.quota_day = a.quota_day
LEFT JOIN held_by_communities c ON a.scope = 'community' AND c.account_key = a.account_key AND c.quota_day = a.quota_day
ORDER BY a.quota_day COLLATE "C", a.scope COLLATE "C", a.account_key COLLATE "C"`;

/** The audit of every account day, oldest first; an account is sound when the four numbers pair up. */
export async function auditPostgresAccounts(database: Queryable): Promise<AccountAudit[]> {
  return (await database.query<AccountAudit>(auditSql)).rows;
}
