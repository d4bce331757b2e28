// Credit movements on per-day quota accounts in PostgreSQL, each written with its ledger row in the same statement.
import { BotError } from '../../core/errors.ts';
import type { QuotaPolicy } from '../../core/quota-policy.ts';
import { dailyAllowance, dailyAllowanceActor, type AccountDay } from '../account-day.ts';
import { toLedgerEntry, type LedgerRow } from '../ledger-rows.ts';
import type { AccountScope, StoredLedgerEntry } from '../store.ts';
import type { Queryable } from './postgres-connection.ts';

/** Which account day a movement touches. */
export interface AccountRef {
  /** A user's day or a community's cap. */
  scope: AccountScope;
  /** The platform-qualified user or community. */
  key: string;
  /** The UTC day (`YYYY-MM-DD`). */
  day: string;
}

/** Account operations; the writing ones run on the caller's transaction client. */
export interface PostgresCreditBook {
  /** Moves `cost` from available to reserved when enough is available, opening the day first; false when not. */
  reserve(client: Queryable, account: AccountRef, cost: number, jobId: string | null, actor: string, now: number): Promise<boolean>;
  /** Releases `cost` reserved credits: `commit` spends them, `refund` makes them available again. */
  settle(client: Queryable, kind: 'commit' | 'refund', account: AccountRef, cost: number, jobId: string | null, actor: string, now: number): Promise<void>;
  /** Changes available credits by `amount` (`grant` or admin `reset`), opening the day first. */
  adjust(client: Queryable, kind: 'grant' | 'reset', account: AccountRef, amount: number, actor: string, now: number): Promise<AccountDay>;
  /**
   * Opens the day with `allowance` (the policy's by default) and the ledger row explaining it,
   * unless it is open already; true when this call opened it.
   */
  openDay(client: Queryable, account: AccountRef, now: number, allowance?: number): Promise<boolean>;
  /**
   * Raises an open day's allowance to `allowance`, adding the difference to its available credits
   * with a `reset` ledger row by the daily-allowance actor; returns the credits added (0 when the
   * allowance was already that high or the day is not open: a day is never lowered). Locks the row.
   */
  raiseAllowance(client: Queryable, account: AccountRef, allowance: number, now: number): Promise<number>;
  /** The stored day, or undefined when nothing touched it yet; `forUpdate` locks the row until the transaction ends. */
  account(client: Queryable, account: AccountRef, forUpdate?: boolean): Promise<AccountDay | undefined>;
  /** Latest ledger rows of one account, newest first. */
  entries(client: Queryable, scope: AccountScope, key: string, limit: number): Promise<StoredLedgerEntry[]>;
}

const ledgerColumns = 'scope, account_key, quota_day, job_id, kind, amount, reserved_change, actor_key, created_at';

// Each movement is one statement: the conditional UPDATE in a CTE, and the ledger row inserted from
// what it returned, so the row exists exactly when the update matched. Under READ COMMITTED a
// concurrent writer's UPDATE waits for the row lock and re-checks the condition on the new values.
const reserveSql = `
WITH held AS (
  UPDATE quota_accounts SET available = available - $1::integer, reserved = reserved + $1::integer, updated_at = $2
  WHERE scope = $3 AND account_key = $4 AND quota_day = $5 AND available >= $1::integer
  RETURNING scope, account_key, quota_day)
INSERT INTO quota_ledger (${ledgerColumns})
SELECT scope, account_key, quota_day, $6, 'reserve', -$1::integer, $1::integer, $7, $2 FROM held`;

const settleSql = `
WITH settled AS (
  UPDATE quota_accounts SET available = available + $1::integer, reserved = reserved - $2::integer, updated_at = $3
  WHERE scope = $4 AND account_key = $5 AND quota_day = $6 AND reserved >= $2::integer
  RETURNING scope, account_key, quota_day)
INSERT INTO quota_ledger (${ledgerColumns})
SELECT scope, account_key, quota_day, $7, $8, $1::integer, -$2::integer, $9, $3 FROM settled`;

const adjustSql = `
WITH adjusted AS (
  UPDATE quota_accounts SET available = available + $1::integer, updated_at = $2
  WHERE scope = $3 AND account_key = $4 AND quota_day = $5 AND available + $1::integer >= 0
  RETURNING scope, account_key, quota_day, allowance, available, reserved),
logged AS (
  INSERT INTO quota_ledger (${ledgerColumns})
  SELECT scope, account_key, quota_day, NULL, $6, $1::integer, 0, $7, $2 FROM adjusted)
SELECT allowance, available, reserved FROM adjusted`;

const openSql = `
WITH opened AS (
  INSERT INTO quota_accounts (scope, account_key, quota_day, allowance, available, reserved, updated_at)
  VALUES ($1, $2, $3, $4::integer, $4::integer, 0, $5) ON CONFLICT DO NOTHING
  RETURNING scope, account_key, quota_day)
INSERT INTO quota_ledger (${ledgerColumns})
SELECT scope, account_key, quota_day, NULL, 'reset', $4::integer, 0, $6, $5 FROM opened`;

// $1 credits added, $2 the new allowance; the caller holds the row lock, so $1 is what the row lacked.
const raiseSql = `
WITH raised AS (
  UPDATE quota_accounts SET available = available + $1::integer, allowance = $2::integer, updated_at = $3
  WHERE scope = $4 AND account_key = $5 AND quota_day = $6
  RETURNING scope, account_key, quota_day)
INSERT INTO quota_ledger (${ledgerColumns})
SELECT scope, account_key, quota_day, NULL, 'reset', $1::integer, 0, $7, $3 FROM raised`;

/** The credit book for `policy`'s allowances. */
export function createPostgresCreditBook(policy: QuotaPolicy): PostgresCreditBook {
  const openDay = async (
    client: Queryable,
    { scope, key, day }: AccountRef,
    now: number,
    allowance = dailyAllowance(policy, scope),
  ): Promise<boolean> => {
    // Another process may open the same day at once: ON CONFLICT waits for it and then does nothing.
    return (await client.query(openSql, [scope, key, day, allowance, now, dailyAllowanceActor])).rowCount === 1;
  };

  const account = async (client: Queryable, { scope, key, day }: AccountRef, forUpdate = false): Promise<AccountDay | undefined> => {
    const result = await client.query<AccountDay>(
      `SELECT allowance, available, reserved FROM quota_accounts WHERE scope = $1 AND account_key = $2 AND quota_day = $3
       ${forUpdate ? 'FOR UPDATE' : ''}`,
      [scope, key, day],
    );
    return result.rows[0];
  };

  const tryReserve = async (client: Queryable, account: AccountRef, cost: number, jobId: string | null, actor: string, now: number) =>
    (await client.query(reserveSql, [cost, now, account.scope, account.key, account.day, jobId, actor])).rowCount === 1;

  return {
    async reserve(client, account, cost, jobId, actor, now) {
      // The common case (day already open) costs one statement; opening is tried only when it matched nothing.
      if (await tryReserve(client, account, cost, jobId, actor, now)) return true;
      // Retried whether or not this call opened the day: another process may have opened it a moment ago.
      await openDay(client, account, now);
      return tryReserve(client, account, cost, jobId, actor, now);
    },
    async settle(client, kind, account, cost, jobId, actor, now) {
      const returned = kind === 'refund' ? cost : 0;
      const values = [returned, cost, now, account.scope, account.key, account.day, jobId, kind, actor];
      if ((await client.query(settleSql, values)).rowCount !== 1) {
        throw new BotError('internal', `Cannot ${kind} ${cost} credits of ${account.scope} ${account.key} on ${account.day}: not reserved`);
      }
    },
    async adjust(client, kind, account, amount, actor, now) {
      await openDay(client, account, now);
      const result = await client.query<AccountDay>(adjustSql, [amount, now, account.scope, account.key, account.day, kind, actor]);
      const updated = result.rows[0];
      if (updated === undefined) {
        throw new BotError('internal', `Cannot change ${account.scope} ${account.key} on ${account.day} by ${amount}: credits would go below zero`);
      }
      return updated;
    },
    openDay,
    async raiseAllowance(client, ref, allowance, now) {
      const before = await account(client, ref, true);
      if (before === undefined || before.allowance >= allowance) return 0;
      const added = allowance - before.allowance;
      // Like the opening row: the day's ledger alone still explains its balance (available = sum of amounts).
      await client.query(raiseSql, [added, allowance, now, ref.scope, ref.key, ref.day, dailyAllowanceActor]);
      return added;
    },
    account,
    async entries(client, scope, key, limit) {
      const result = await client.query<LedgerRow>(
        `SELECT id, scope, account_key, job_id, kind, amount, reserved_change, quota_day, actor_key, created_at
         FROM quota_ledger WHERE scope = $1 AND account_key = $2 ORDER BY id DESC LIMIT $3`,
        [scope, key, limit],
      );
      return result.rows.map(toLedgerEntry);
    },
  };
}
