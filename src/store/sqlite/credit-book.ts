// Credit movements on per-day quota accounts, each written with its ledger row; callers provide the transaction.
import { BotError } from '../../core/errors.ts';
import type { QuotaPolicy } from '../../core/quota-policy.ts';
import { dailyAllowance, dailyAllowanceActor, type AccountDay } from '../account-day.ts';
import { toLedgerEntry, type LedgerRow } from '../ledger-rows.ts';
import type { AccountScope, StoredLedgerEntry } from '../store.ts';
import type { SqliteDatabase } from './database.ts';

/** Account operations; every method must run inside a transaction the caller opened. */
export interface CreditBook {
  /** Moves `cost` from available to reserved when enough is available, opening the day first; false when not. */
  reserve(scope: AccountScope, key: string, day: string, cost: number, jobId: string | null, actor: string, now: number): boolean;
  /** Releases `cost` reserved credits: `commit` spends them, `refund` makes them available again. */
  settle(kind: 'commit' | 'refund', scope: AccountScope, key: string, day: string, cost: number, jobId: string | null, actor: string, now: number): void;
  /** Changes available credits by `amount` (`grant` or admin `reset`), opening the day first. */
  adjust(kind: 'grant' | 'reset', scope: AccountScope, key: string, day: string, amount: number, actor: string, now: number): AccountDay;
  /** Opens the day with `allowance` (the policy's by default) and its ledger row, unless it is open already; true when this call opened it. */
  openDay(scope: AccountScope, key: string, day: string, now: number, allowance?: number): boolean;
  /**
   * Raises an open day's allowance to `allowance`, adding the difference to its available credits
   * with a `reset` ledger row by the daily-allowance actor; returns the credits added (0 when the
   * allowance was already that high or the day is not open: a day is never lowered).
   */
  raiseAllowance(scope: AccountScope, key: string, day: string, allowance: number, now: number): number;
  /** The stored day, or undefined when nothing touched it yet. */
  account(scope: AccountScope, key: string, day: string): AccountDay | undefined;
  /** Credits reserved over all days (jobs started before midnight still hold yesterday's credits). */
  reservedTotal(scope: AccountScope, key: string): number;
  /** Latest ledger rows of one account, newest first. */
  entries(scope: AccountScope, key: string, limit: number): StoredLedgerEntry[];
}

/** Prepares the account and ledger statements once for `database`. */
export function createCreditBook(database: SqliteDatabase, policy: QuotaPolicy): CreditBook {
  const reserveStatement = database.prepare(
    `UPDATE quota_accounts SET available = available - ?, reserved = reserved + ?, updated_at = ?
     WHERE scope = ? AND account_key = ? AND quota_day = ? AND available >= ?`,
  );
  const settleStatement = database.prepare(
    `UPDATE quota_accounts SET available = available + ?, reserved = reserved - ?, updated_at = ?
     WHERE scope = ? AND account_key = ? AND quota_day = ? AND reserved >= ?`,
  );
  const adjustStatement = database.prepare(
    `UPDATE quota_accounts SET available = available + ?, updated_at = ?
     WHERE scope = ? AND account_key = ? AND quota_day = ? AND available + ? >= 0`,
  );
  const openStatement = database.prepare(
    `INSERT INTO quota_accounts (scope, account_key, quota_day, allowance, available, reserved, updated_at)
     VALUES (?, ?, ?, ?, ?, 0, ?) ON CONFLICT DO NOTHING`,
  );
  const raiseStatement = database.prepare(
    `UPDATE quota_accounts SET available = available + (@allowance - allowance), allowance = @allowance, updated_at = @now
     WHERE scope = @scope AND account_key = @key AND quota_day = @day AND allowance < @allowance`,
  );
  const accountStatement = database.prepare<[AccountScope, string, string], AccountDay>(
    'SELECT allowance, available, reserved FROM quota_accounts WHERE scope = ? AND account_key = ? AND quota_day = ?',
  );
  const reservedStatement = database
    .prepare<[AccountScope, string], number>(
      'SELECT coalesce(sum(reserved), 0) FROM quota_accounts WHERE scope = ? AND account_key = ? AND reserved > 0',
    )
    .pluck();
  const ledgerStatement = database.prepare(
    `INSERT INTO quota_ledger (scope, account_key, quota_day, job_id, kind, amount, reserved_change, actor_key, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const entriesStatement = database.prepare<[AccountScope, string, number], LedgerRow>(
    `SELECT id, scope, account_key, job_id, kind, amount, reserved_change, quota_day, actor_key, created_at
     FROM quota_ledger WHERE scope = ? AND account_key = ? ORDER BY id DESC LIMIT ?`,
  );

  /** Opens the day lazily, on its first use, with the allowance and the ledger row that explains it. */
  const openDay = (scope: AccountScope, key: string, day: string, now: number, allowance = dailyAllowance(policy, scope)): boolean => {
    if (openStatement.run(scope, key, day, allowance, allowance, now).changes === 0) return false;
    ledgerStatement.run(scope, key, day, null, 'reset', allowance, 0, dailyAllowanceActor, now);
    return true;
  };

  const account = (scope: AccountScope, key: string, day: string) => accountStatement.get(scope, key, day);

  const raiseAllowance = (scope: AccountScope, key: string, day: string, allowance: number, now: number): number => {
    const before = account(scope, key, day);
    if (before === undefined || before.allowance >= allowance) return 0;
    raiseStatement.run({ allowance, now, scope, key, day });
    const added = allowance - before.allowance;
    // Like the opening row: the day's ledger alone still explains its balance (available = sum of amounts).
    ledgerStatement.run(scope, key, day, null, 'reset', added, 0, dailyAllowanceActor, now);
    return added;
  };

  return {
    openDay,
    raiseAllowance,
    reserve(scope, key, day, cost, jobId, actor, now) {
      // The common case (day already open) costs one UPDATE; opening is tried only when it matched nothing.
      let held = reserveStatement.run(cost, cost, now, scope, key, day, cost).changes === 1;
      if (!held && openDay(scope, key, day, now)) {
        held = reserveStatement.run(cost, cost, now, scope, key, day, cost).changes === 1;
      }
      if (held) ledgerStatement.run(scope, key, day, jobId, 'reserve', -cost, cost, actor, now);
      return held;
    },
    settle(kind, scope, key, day, cost, jobId, actor, now) {
      const returned = kind === 'refund' ? cost : 0;
      if (settleStatement.run(returned, cost, now, scope, key, day, cost).changes !== 1) {
        throw new BotError('internal', `Cannot ${kind} ${cost} credits of ${scope} ${key} on ${day}: not reserved`);
      }
      ledgerStatement.run(scope, key, day, jobId, kind, returned, -cost, actor, now);
    },
    adjust(kind, scope, key, day, amount, actor, now) {
      openDay(scope, key, day, now);
      if (adjustStatement.run(amount, now, scope, key, day, amount).changes !== 1) {
        throw new BotError('internal', `Cannot change ${scope} ${key} on ${day} by ${amount}: credits would go below zero`);
      }
      ledgerStatement.run(scope, key, day, null, kind, amount, 0, actor, now);
      const updated = account(scope, key, day);
      if (updated === undefined) throw new BotError('internal', `Quota account ${scope} ${key} on ${day} vanished`);
      return updated;
    },
    account,
    reservedTotal: (scope, key) => reservedStatement.get(scope, key) ?? 0,
    entries: (scope, key, limit) => entriesStatement.all(scope, key, limit).map(toLedgerEntry),
  };
}
