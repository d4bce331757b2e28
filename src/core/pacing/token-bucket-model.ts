// A rate model from assumed figures (Slack publishes per-minute floors and answers only Retry-After): a token bucket that slows down on 429s.
import type { CallClass, RateModel } from './rate-model.ts';

/** A platform limit as published: a rate and the burst it tolerates. */
export interface TokenBucketFigures {
  /** Calls per minute the platform allows. */
  perMinute: number;
  /** Calls the platform tolerates at once. */
  burst: number;
}

/** The figures and how the budget is split between outcomes and the rest. */
export interface TokenBucketOptions extends TokenBucketFigures {
  /** Share of the platform's rate status and decorative calls may use on their own (default 0.6). */
  decorativeShare?: number;
  /** Share of the burst kept for outcomes: status and decorative calls never take the bucket below it (default 0.4). */
  outcomeReserve?: number;
  /**
   * How much later than it is sent a call may reach the platform (queues, network, a busy event loop):
   * the platform counts the call then, so its bucket has refilled less than ours by that much (default 750 ms).
   */
  latencyMarginMs?: number;
}

/** Lowest pace after repeated 429s: a tenth of the published rate. */
const minimumPace = 0.1;
/** Pace regained per minute without a 429 (a 429 halves it). */
const paceRecoveryPerMinute = 0.1;

/**
 * Mirrors the platform's bucket: a call takes a token, tokens refill at the published rate (times the
 * current pace). Status and decorative calls also draw on a smaller bucket refilled at `decorativeShare`
 * of the rate, and only while the main bucket stays above the outcome reserve. A 429 empties both,
 * blocks until Retry-After and halves the pace, which recovers slowly: several processes sharing one
 * workspace each slow down until together they fit, without knowing of each other.
 */
export class TokenBucketModel implements RateModel {
  readonly #perMinute: number;
  readonly #burst: number;
  readonly #share: number;
  readonly #reserve: number;
  readonly #latencyMarginMs: number;
  #tokens: number;
  #decorativeTokens: number;
  #pace = 1;
  #updatedAt: number | undefined;
  #blockedUntil = 0;

  constructor(options: TokenBucketOptions) {
    this.#perMinute = options.perMinute;
    this.#burst = Math.max(1, options.burst);
    this.#share = options.decorativeShare ?? 0.6;
    this.#reserve = this.#burst * (options.outcomeReserve ?? 0.4);
    this.#latencyMarginMs = options.latencyMarginMs ?? 750;
    this.#tokens = this.#burst;
    this.#decorativeTokens = this.#decorativeCapacity;
  }

  /** The current pace, 0.1–1 (1: the published rate). */
  get pace(): number {
    return this.#pace;
  }

  delayFor(callClass: CallClass, now: number): number {
    this.#refill(now);
    const blocked = Math.max(0, this.#blockedUntil - now);
    const perMs = (this.#perMinute * this.#pace) / 60_000;
    // The token the platform will have refilled less than we did by the time it counts the call.
    const margin = Math.min(1, perMs * this.#latencyMarginMs);
    if (callClass === 'outcome') return Math.max(blocked, this.#wait(this.#tokens, 1 + margin, perMs));
    const aboveReserve = this.#wait(this.#tokens, 1 + margin + this.#reserve, perMs);
    const ownShare = this.#wait(this.#decorativeTokens, 1, perMs * this.#share);
    return Math.max(blocked, aboveReserve, ownShare);
  }

  spend(callClass: CallClass, now: number): void {
    this.#refill(now);
    this.#tokens -= 1;
    if (callClass !== 'outcome') this.#decorativeTokens -= 1;
  }

  rateLimited(retryAfterMs: number, now: number): void {
    this.#refill(now);
    this.#blockedUntil = Math.max(this.#blockedUntil, now + retryAfterMs);
    this.#tokens = 0;
    this.#decorativeTokens = 0;
    this.#pace = Math.max(minimumPace, this.#pace / 2);
  }

  idle(now: number): boolean {
    this.#refill(now);
    return now >= this.#blockedUntil && this.#pace >= 1 && this.#tokens >= this.#burst && this.#decorativeTokens >= this.#decorativeCapacity;
  }

  get #decorativeCapacity(): number {
    return Math.max(1, this.#burst * this.#share);
  }

  /** Milliseconds until `tokens` reaches `needed` at `perMs` refill. */
  #wait(tokens: number, needed: number, perMs: number): number {
    if (tokens >= needed) return 0;
    return perMs > 0 ? Math.ceil((needed - tokens) / perMs) : Number.POSITIVE_INFINITY;
  }

  #refill(now: number): void {
    const since = this.#updatedAt === undefined ? 0 : Math.max(0, now - this.#updatedAt);
    this.#updatedAt = now;
    if (since === 0) return;
    // The platform's bucket refills while it makes us wait too: by Retry-After it holds a token again.
    const perMs = (this.#perMinute * this.#pace) / 60_000;
    this.#tokens = Math.min(this.#burst, this.#tokens + since * perMs);
    this.#decorativeTokens = Math.min(this.#decorativeCapacity, this.#decorativeTokens + since * perMs * this.#share);
    this.#pace = Math.min(1, this.#pace + (since / 60_000) * paceRecoveryPerMinute);
  }
}
