// The rules both QuotaLedgers apply alike: the balance a user is shown, and which amounts an admin may grant.
import type { QuotaBalance } from '../core/delivery.ts';
import { BotError } from '../core/errors.ts';
import { nextUtcMidnight, type QuotaPolicy } from '../core/quota-policy.ts';

/** A user's credits as one read of the store found them. */
export interface StoredCredits {
  /** Available credits of today's account, or undefined when today was not opened yet. */
  available: number | undefined;
  /** Today's allowance as its account stored it (a community's own daily credits may have raised it), or undefined when not opened. */
  allowance: number | undefined;
  /** Credits reserved over all days (jobs started before midnight still hold yesterday's credits). */
  reserved: number;
}

/** The balance `requesterKey` is shown at `now`, from what the store holds. */
export function quotaBalance(policy: QuotaPolicy, requesterKey: string, now: number, stored: StoredCredits): QuotaBalance {
  const unlimited = policy.isAdmin(requesterKey);
  return {
    // An untouched day has not been opened yet; it will open with the allowance.
    remaining: unlimited ? Number.POSITIVE_INFINITY : (stored.available ?? policy.dailyCredits),
    reserved: stored.reserved,
    // What today opened with (or was raised to); an unopened day will open with the policy's.
    dailyCredits: stored.allowance ?? policy.dailyCredits,
    resetsAt: nextUtcMidnight(now),
    unlimited,
  };
}

/** Throws `invalid_request` (shown to whoever set it) unless `credits` is a whole number of at least 0. */
export function checkAllowance(credits: number): void {
  if (!Number.isSafeInteger(credits) || credits < 0) {
    throw new BotError('invalid_request', `Daily credits must be a whole number of at least 0; got ${credits}.`);
  }
}

/** Throws `invalid_request` (shown to the admin) unless `amount` is a whole number of at least 1. */
export function checkGrantAmount(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount < 1) {
    throw new BotError('invalid_request', `Credits to grant must be a whole number of at least 1; got ${amount}.`);
  }
}
