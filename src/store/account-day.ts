// One quota account's day as both stores keep it: what it holds, what it opens with, and who the opening is written as.
import type { QuotaPolicy } from '../core/quota-policy.ts';
import type { AccountScope } from './store.ts';

/**
 * Actor of the `reset` row that opens an account's day: its amount is the allowance, so the day's
 * ledger alone explains the balance (available = sum of amounts).
 */
export const dailyAllowanceActor = 'system:daily-allowance';

/** One account's day as stored. */
export interface AccountDay {
  /** What the day opened with (the daily credits or community cap in force then). */
  allowance: number;
  /** Credits that can still be reserved. */
  available: number;
  /** Credits held by jobs in flight. */
  reserved: number;
}

/** What a day of `scope` opens with under `policy`: the user's daily credits, or the community cap (0 when none). */
export function dailyAllowance(policy: QuotaPolicy, scope: AccountScope): number {
  return scope === 'user' ? policy.dailyCredits : (policy.communityDailyCredits ?? 0);
}
