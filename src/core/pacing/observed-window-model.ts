// A rate model learned from the platform's own answers (Discord's X-RateLimit-* headers): a fixed window whose count the server reports.
import type { CallClass, RateModel } from './rate-model.ts';

/** A window's figures: `limit` calls per `windowMs`. */
export interface WindowFigures {
  limit: number;
  windowMs: number;
}

/** What one answer said about its bucket (X-RateLimit-Limit, -Remaining, -Reset-After). */
export interface WindowObservation {
  limit: number;
  remaining: number;
  resetAfterMs: number;
}

/** The figures assumed until the platform has answered once, and the share status and decorative calls may use. */
export interface ObservedWindowOptions {
  /** Used before the first answer of this bucket arrives. */
  assumed: WindowFigures;
  /** Share of each window status and decorative calls may use; the rest is kept for outcomes (default 0.6). */
  decorativeShare?: number;
  /**
   * How much later than it is sent a call may reach the platform: a call sent this close to the end of a
   * window may be counted in the next one, so a new window starts with it counted (default 250 ms).
   */
  latencyMarginMs?: number;
}

/** Two observations of the same window disagree about its reset by less than this. */
const sameWindowToleranceMs = 250;

/**
 * A bucket as the platform reports it: after every answer the remaining count and the reset time are
 * the server's (so calls by other processes and by other clients of this one are counted too); between
 * answers this process counts its own calls. Status and decorative calls only take a call while more than
 * the outcome reserve (`limit − ⌊limit × share⌋`) remains in the window.
 */
export class ObservedWindowModel implements RateModel {
  readonly #share: number;
  readonly #latencyMarginMs: number;
  /** When this process's calls of the last moments were sent, for the calls that may land in the next window. */
  #recentSpends: number[] = [];
  #limit: number;
  #windowMs: number;
  #remaining: number;
  /** When the current window ends; undefined before the first call. */
  #resetAt: number | undefined;
  #blockedUntil = 0;
  /** True once the platform has reported this bucket. */
  #learned = false;

  constructor(options: ObservedWindowOptions) {
    this.#share = options.decorativeShare ?? 0.6;
    this.#latencyMarginMs = options.latencyMarginMs ?? 250;
    this.#limit = options.assumed.limit;
    this.#windowMs = options.assumed.windowMs;
    this.#remaining = this.#limit;
  }

  /** Whether the figures come from the platform's answers rather than assumptions. */
  get learned(): boolean {
    return this.#learned;
  }

  /** The window's limit as last known. */
  get limit(): number {
    return this.#limit;
  }

  delayFor(callClass: CallClass, now: number): number {
    this.#roll(now);
    const blocked = Math.max(0, this.#blockedUntil - now);
    const needed = callClass === 'outcome' ? 1 : 1 + this.#reserve;
    const untilReset = this.#resetAt === undefined ? 0 : Math.max(0, this.#resetAt - now);
    // A fresh window holds `limit`: if even that is not enough for a decorative call, it never gets one.
    if (this.#remaining >= needed) return blocked;
    return this.#limit >= needed ? Math.max(blocked, untilReset) : Number.POSITIVE_INFINITY;
  }

  spend(_callClass: CallClass, now: number): void {
    this.#roll(now);
    if (this.#resetAt === undefined) this.#resetAt = now + this.#windowMs;
    this.#remaining -= 1;
    this.#recentSpends = [...this.#recentSpends.filter((at) => at >= now - this.#latencyMarginMs), now];
  }

  rateLimited(retryAfterMs: number, now: number): void {
    this.#roll(now);
    this.#blockedUntil = Math.max(this.#blockedUntil, now + retryAfterMs);
    this.#remaining = 0;
    this.#resetAt = Math.max(this.#resetAt ?? 0, now + retryAfterMs);
  }

  /** Takes the server's word for the window: its limit, what remains and when it resets. */
  observe(observation: WindowObservation, now: number): void {
    this.#roll(now);
    const resetAt = now + observation.resetAfterMs;
    const sameWindow = this.#resetAt !== undefined && Math.abs(resetAt - this.#resetAt) < sameWindowToleranceMs;
    // Answers may arrive out of order: within one window the lower count is the later one.
    this.#remaining = sameWindow ? Math.min(this.#remaining, observation.remaining) : observation.remaining;
    this.#limit = observation.limit;
    if (!this.#learned || !sameWindow) this.#windowMs = Math.max(this.#windowMs, observation.resetAfterMs);
    this.#resetAt = resetAt;
    this.#learned = true;
  }

  idle(now: number): boolean {
    return now >= this.#blockedUntil && (this.#resetAt === undefined || now >= this.#resetAt);
  }

  get #reserve(): number {
    return this.#limit - Math.floor(this.#limit * this.#share);
  }

  /** Starts a new window once the current one has ended, with the calls that may still land in it counted. */
  #roll(now: number): void {
    if (this.#resetAt !== undefined && now >= this.#resetAt) {
      const endedAt = this.#resetAt;
      this.#resetAt = undefined;
      this.#remaining = this.#limit - this.#recentSpends.filter((at) => at >= endedAt - this.#latencyMarginMs).length;
      this.#recentSpends = [];
    }
  }
}
