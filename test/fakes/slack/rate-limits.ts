// The fake Slack's rate limits: Slack's published per-method figures as token buckets, refused with 429 + Retry-After like Slack.

/** One limit a Web API method is subject to. */
export interface SlackMethodLimit {
  /** Whose calls share the bucket: the whole workspace (Slack's tiers), or one channel (`chat.postMessage`). */
  scope: 'workspace' | 'channel';
  /** Calls per minute the bucket refills (Slack's published floor for the method). */
  perMinute: number;
  /** Calls the bucket holds when full: the burst Slack tolerates before it answers 429. */
  burst: number;
}

/** Limits by Web API method; methods not listed are not limited. */
export type SlackRateLimits = Readonly<Record<string, readonly SlackMethodLimit[]>>;

/** Slack's tiers: "Tier 3: 50+ per minute, sporadic bursts welcome", "Tier 4: 100+ per minute, generous bursts". */
const tier3: SlackMethodLimit = { scope: 'workspace', perMinute: 50, burst: 50 };
const tier4: SlackMethodLimit = { scope: 'workspace', perMinute: 100, burst: 100 };

/**
 * Slack's published figures (docs.slack.dev, "Rate limits", and each method's page), per method, per
 * workspace, per app. A bucket holds one minute's allowance, so a method never sees more than its figure
 * on average and a burst of up to a minute's worth is tolerated. `chat.postMessage` is special: about one
 * message a second per channel ("short bursts >1 allowed"; Slack gives no size, bots report about 30
 * messages in the first 5 s, so a bucket of 30 refilled one a second) plus a workspace cap of "several
 * hundred a minute" (300). `auth.test` and `apps.connections.open` are left out: they are called once per
 * process start, and tests start many processes a minute.
 */
export const slackPublishedLimits: SlackRateLimits = {
  'chat.postMessage': [
    { scope: 'channel', perMinute: 60, burst: 30 },
    { scope: 'workspace', perMinute: 300, burst: 300 },
  ],
  'chat.update': [tier3],
  'chat.delete': [tier3],
  'chat.postEphemeral': [tier4],
  'chat.getPermalink': [tier4],
  'conversations.replies': [tier3],
  'conversations.history': [tier3],
  'files.getUploadURLExternal': [tier4],
  'files.completeUploadExternal': [tier4],
  'files.info': [tier4],
  'views.open': [tier4],
  'users.info': [tier4],
};

/** A call the fake answered with 429. */
export interface RefusedCall {
  method: string;
  /** `workspace` or `channel`: which of the method's buckets was empty. */
  scope: SlackMethodLimit['scope'];
  /** The channel, for channel-scoped limits. */
  channel: string | undefined;
  /** The `Retry-After` sent, in whole seconds. */
  retryAfterSeconds: number;
  /** The label of the API URL the call came through (which process made it). */
  client: string | undefined;
  /** The call's fields (tests tell progress edits from outcomes by their blocks). */
  fields: Record<string, string>;
  at: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Keeps one token bucket per method, scope and channel, and records every refusal. */
export class SlackRateLimiter {
  /** Every call answered with 429, oldest first. */
  readonly refused: RefusedCall[] = [];
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    /** The limits in force; `false` switches them off. */
    public limits: SlackRateLimits | false = slackPublishedLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Admits one call of `method`: takes a token from each of its buckets, or none when any is empty.
   * Returns the `Retry-After` seconds of a refusal (recorded in `refused`), undefined when admitted.
   */
  admit(method: string, fields: Record<string, string>, client: string | undefined): number | undefined {
    const limits = this.limits === false ? [] : (this.limits[method] ?? []);
    const now = this.now();
    const buckets = limits.map((limit) => ({ limit, bucket: this.#refilled(method, limit, fields.channel, now) }));
    const empty = buckets.filter(({ bucket }) => bucket.tokens < 1);
    if (empty.length === 0) {
      for (const { bucket } of buckets) bucket.tokens -= 1;
      return undefined;
    }
    // Slack answers whole seconds; a refill due in 0.2 s is announced as 1 s.
    const waits = empty.map(({ limit, bucket }) => ((1 - bucket.tokens) * 60_000) / limit.perMinute);
    const retryAfterSeconds = Math.max(1, Math.ceil(Math.max(...waits) / 1000));
    const first = empty[0] as (typeof empty)[number];
    this.refused.push({
      method,
      scope: first.limit.scope,
      channel: first.limit.scope === 'channel' ? fields.channel : undefined,
      retryAfterSeconds,
      client,
      fields,
      at: now,
    });
    return retryAfterSeconds;
  }

  /** Forgets every bucket (a fresh minute everywhere); refusals stay recorded. */
  reset(): void {
    this.#buckets.clear();
  }

  #refilled(method: string, limit: SlackMethodLimit, channel: string | undefined, now: number): Bucket {
    const key = `${method}|${limit.scope}|${limit.scope === 'channel' ? (channel ?? '') : ''}`;
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: limit.burst, updatedAt: now };
      this.#buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.updatedAt) * limit.perMinute) / 60_000);
    bucket.updatedAt = now;
    return bucket;
  }
}
