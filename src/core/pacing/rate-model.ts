// The contract between the call pacer and what this process knows about one platform rate-limit bucket.

/**
 * How much a platform call matters. `outcome`: a result, a final edit, an error ending, buttons; never
 * dropped, sent first. `status`: the first post of a pending message; kept until it can be sent, but only
 * from the budget left after outcomes. `decorative`: a progress or queue-position edit; only from that
 * budget, replaced by newer states, dropped when stale or refused.
 */
export type CallClass = 'outcome' | 'status' | 'decorative';

/** This process's view of one platform bucket (a Slack method in a workspace, a Discord route). */
export interface RateModel {
  /**
   * Milliseconds from `now` until one call of `callClass` may go out (0: at once). Status and
   * decorative calls leave a reserve of the bucket for outcomes and stay below the platform's rate.
   */
  delayFor(callClass: CallClass, now: number): number;
  /** Counts one call of `callClass` sent at `now`. */
  spend(callClass: CallClass, now: number): void;
  /**
   * Learns from a 429: nothing more before `now + retryAfterMs`; where the platform tells nothing else
   * (Slack), the pace is also lowered, so processes sharing a limit settle on a share of it.
   */
  rateLimited(retryAfterMs: number, now: number): void;
  /** True when the model holds nothing worth keeping at `now` (full again, not blocked): it may be forgotten. */
  idle(now: number): boolean;
}

/** What a failed call's error says about a rate limit. */
export interface RateLimitSignal {
  /** How long the platform asked to wait. */
  retryAfterMs: number;
  /** The bucket refused, when the platform names it (Discord's global limit); otherwise every bucket of the call. */
  bucket?: string;
  /** False when the platform's client refused the call itself before sending it (no 429 was answered); default true. */
  answered429?: boolean;
}
