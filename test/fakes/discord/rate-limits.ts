// The fake Discord's rate limits: per-route buckets keyed by their major parameter plus the global limit, with Discord's headers and 429 bodies.

/** A fixed window: `limit` calls, counted from the first call of the window, for `windowMs`. */
export interface DiscordWindow {
  limit: number;
  windowMs: number;
}

/** The limits the fake enforces; `undefined` leaves that kind of route unlimited. */
export interface DiscordRateLimits {
  /** Requests per second per bot over every route except interaction callbacks and interaction webhooks. */
  global: DiscordWindow | undefined;
  /** Per interaction token: editing, fetching and following up the interaction's messages. */
  interactionWebhook: DiscordWindow | undefined;
  /** Per channel: creating, editing and deleting messages (`POST /channels/:id/messages`, `PATCH|DELETE …/:message`). */
  channelMessageWrites: DiscordWindow | undefined;
}

/**
 * Discord's figures: 50 requests a second globally (interaction endpoints exempt), and the per-route
 * figures bots report, since Discord publishes none: about 5 per 5 s per channel for message create and
 * edit, 5 per 2 s per interaction token.
 */
export const discordReportedLimits: DiscordRateLimits = {
  global: { limit: 50, windowMs: 1000 },
  interactionWebhook: { limit: 5, windowMs: 2000 },
  channelMessageWrites: { limit: 5, windowMs: 5000 },
};

/** A call the fake answered with 429. */
export interface RecordedRateLimit {
  method: string;
  /** Decoded path under `/api/v10`. */
  path: string;
  /** `X-RateLimit-Bucket` of the refused route; undefined for the global limit. */
  bucket: string | undefined;
  /** `user` for a route bucket, `global` for the global limit. */
  scope: 'user' | 'global';
  /** `retry_after` in seconds, as sent. */
  retryAfterSeconds: number;
  at: number;
}

/** What to send back: headers for every answer on a limited route, and a 429 body when refused. */
export interface RateLimitVerdict {
  headers: Record<string, string>;
  /** The route window the call was counted in (`<bucket>|<major parameter>|<window start>`), for tests counting calls per window. */
  window?: string;
  /** Set when the call is refused. */
  refusal?: { message: string; retry_after: number; global: boolean; code: number };
}

interface Window {
  count: number;
  startedAt: number;
}

interface RouteBucket {
  /** Stable `X-RateLimit-Bucket` value of the route kind. */
  hash: string;
  /** The bucket's major parameter (channel id, interaction token). */
  key: string;
  window: DiscordWindow;
}

/** Three decimals, like Discord's header values. */
const seconds = (milliseconds: number) => (Math.max(0, milliseconds) / 1000).toFixed(3);

/** Counts calls per route bucket and globally, and records every refusal. */
export class DiscordRateLimiter {
  /** Every call answered with 429, oldest first. */
  readonly refused: RecordedRateLimit[] = [];
  readonly #windows = new Map<string, Window>();

  constructor(
    /** The limits in force; `false` switches them off. */
    public limits: DiscordRateLimits | false = discordReportedLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Admits one call (`segments`: the decoded path under /api/v10), counting it in its buckets. */
  admit(method: string, segments: readonly string[], botAuth: boolean): RateLimitVerdict {
    if (this.limits === false) return { headers: {} };
    const now = this.now();
    const path = `/${segments.join('/')}`;
    const route = this.#routeOf(method, segments);
    const exempt = segments[0] === 'interactions' || segments[0] === 'webhooks';
    const global = this.limits.global;
    if (global && botAuth && !exempt) {
      const window = this.#current('global', global, now);
      if (window.count >= global.limit) {
        const retryAfter = window.startedAt + global.windowMs - now;
        this.refused.push({ method, path, bucket: undefined, scope: 'global', retryAfterSeconds: retryAfter / 1000, at: now });
        return {
          headers: { 'retry-after': String(Math.ceil(retryAfter / 1000)), 'x-ratelimit-global': 'true', 'x-ratelimit-scope': 'global' },
          refusal: { message: 'You are being rate limited.', retry_after: retryAfter / 1000, global: true, code: 0 },
        };
      }
    }
    let headers: Record<string, string> = {};
    let counted: string | undefined;
    if (route) {
      const window = this.#current(`${route.hash}|${route.key}`, route.window, now);
      const resetAfter = window.startedAt + route.window.windowMs - now;
      headers = {
        'x-ratelimit-limit': String(route.window.limit),
        'x-ratelimit-remaining': String(Math.max(0, route.window.limit - window.count - 1)),
        'x-ratelimit-reset': seconds(window.startedAt + route.window.windowMs),
        'x-ratelimit-reset-after': seconds(resetAfter),
        'x-ratelimit-bucket': route.hash,
      };
      if (window.count >= route.window.limit) {
        this.refused.push({ method, path, bucket: route.hash, scope: 'user', retryAfterSeconds: resetAfter / 1000, at: now });
        return {
          headers: { ...headers, 'x-ratelimit-remaining': '0', 'retry-after': String(Math.ceil(resetAfter / 1000)), 'x-ratelimit-scope': 'user' },
          refusal: { message: 'You are being rate limited.', retry_after: resetAfter / 1000, global: false, code: 0 },
        };
      }
      window.count += 1;
      counted = `${route.hash}|${route.key}|${window.startedAt}`;
    }
    if (global && botAuth && !exempt) this.#current('global', global, now).count += 1;
    return { headers, ...(counted === undefined ? {} : { window: counted }) };
  }

  /** Forgets every window; refusals stay recorded. */
  reset(): void {
    this.#windows.clear();
  }

  /** The window counting `key` now: the running one, or a new one when it has ended. */
  #current(key: string, limit: DiscordWindow, now: number): Window {
    let window = this.#windows.get(key);
    if (window === undefined || now >= window.startedAt + limit.windowMs) {
      window = { count: 0, startedAt: now };
      this.#windows.set(key, window);
    }
    return window;
  }

  /** The route bucket of a call, by Discord's major parameters; undefined for routes the fake leaves unlimited. */
  #routeOf(method: string, segments: readonly string[]): RouteBucket | undefined {
    if (this.limits === false) return undefined;
    const [first, second, third, fourth] = segments;
    const webhook = this.limits.interactionWebhook;
    // `/webhooks/:application/:token/…`: the token is the major parameter.
    if (first === 'webhooks' && webhook && second !== undefined && third !== undefined) {
      return { hash: 'a1f0c0de00webhook', key: `${second}/${third}`, window: webhook };
    }
    const writes = this.limits.channelMessageWrites;
    const writesMessages = fourth === undefined ? method === 'POST' : method === 'PATCH' || method === 'DELETE';
    if (first === 'channels' && third === 'messages' && writes && second !== undefined && writesMessages) {
      return { hash: 'b2e1d1ce01channel', key: second, window: writes };
    }
    return undefined;
  }
}
