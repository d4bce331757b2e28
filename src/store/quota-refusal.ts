// The refusal both stores throw when an account day cannot hold a job's credits, worded for the user.
import { BotError } from '../core/errors.ts';
import { quotaExceededMessage, type QuotaPolicy } from '../core/quota-policy.ts';
import { dailyAllowance, type AccountDay } from './account-day.ts';
import type { AccountScope, ReservationRequest } from './store.ts';

/** Which account refused, and what it held when it did. */
export interface RefusedAccount {
  /** A user's day or a community's cap. */
  scope: AccountScope;
  /** The platform-qualified user or community. */
  key: string;
  /** The stored day, or undefined when it was never opened (the message then shows the allowance it would open with). */
  day: AccountDay | undefined;
}

/** The `quota_exceeded` error for `request` costing `cost` on `account`; the caller throws it out of its transaction. */
export function quotaRefusal(policy: QuotaPolicy, account: RefusedAccount, request: ReservationRequest, cost: number): BotError {
  const allowance = dailyAllowance(policy, account.scope);
  return new BotError(
    'quota_exceeded',
    quotaExceededMessage({
      scope: account.scope,
      accountKey: account.key,
      resolution: request.resolution,
      cost,
      available: account.day?.available ?? allowance,
      reserved: account.day?.reserved ?? 0,
      allowance: account.day?.allowance ?? allowance,
      now: request.now,
    }),
  );
}
