// The Slack connection's pacer: a Web API client that throws 429s instead of pausing, token-bucket models per method, and the rate-limit log.
import { webApi } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { PlatformMetrics } from '../../core/bot-metrics.ts';
import { systemClock, type Clock } from '../../core/clock.ts';
import { createCallPacer, type CallPacer, type PacedCall } from '../../core/pacing/call-pacer.ts';
import { createRateLimitLog } from '../../core/pacing/rate-limit-log.ts';
import type { RateLimitSignal } from '../../core/pacing/rate-model.ts';
import { createRateModels } from '../../core/pacing/rate-models.ts';
import { TokenBucketModel } from '../../core/pacing/token-bucket-model.ts';
import type { Logger } from '../../log.ts';
import { countingFetch, slackMethodName } from './api-metrics.ts';
import { normalizeApiUrl, toBoltLogger } from './app-setup.ts';
import { figuresOfBucket, slackBuckets, type CallPlace, type PacedMethod } from './slack-rate-figures.ts';

/** Every paced Web API call of the Slack adapter goes through this. */
export interface SlackPacing {
  /**
   * The client of paced calls. It throws a 429 (`WebAPIRateLimitedError`) instead of pausing its whole
   * queue like Bolt's client does, so a refused progress edit never holds up an upload: the pacer decides
   * what waits (outcomes) and what is dropped (decoration).
   */
  client: WebClient;
  pacer: CallPacer;
  /**
   * Sends an outcome call of `method` at `place` (several methods for a call made of several, like
   * `files.uploadV2`): first in line, retried after a 429, never dropped.
   */
  outcome<Result>(method: PacedMethod | readonly PacedMethod[], place: CallPlace, send: () => Promise<Result>): Promise<Result>;
  /** The call description the pacer takes, for status and decorative calls. */
  call<Result>(method: PacedMethod | readonly PacedMethod[], place: CallPlace, send: () => Promise<Result>): PacedCall<Result>;
  /** True when `error` is a 429 the client threw. */
  isRateLimited(error: unknown): boolean;
  /** Logs (once a minute per method) the 429s another client waits out itself: Bolt's, which answers users directly. */
  watch(other: WebClient): void;
  stop(): Promise<void>;
}

/** What the pacing needs: the bot token and API base (as Bolt's client has them), the logger and the edges. */
export interface SlackPacingOptions {
  botToken: string;
  /** SLACK_API_URL: Web API base override. */
  apiUrl?: string;
  logger: Logger;
  /** Least time between two progress edits of one message (default 3 s). */
  progressIntervalMs?: number;
  /** Where this client's calls and 429s are counted, like Bolt's. */
  metrics?: PlatformMetrics;
  clock?: Clock;
}

/** A 429 the client threw, with Slack's Retry-After in milliseconds. */
function rateLimitOf(error: unknown): RateLimitSignal | undefined {
  const { code, retryAfter } = (error ?? {}) as { code?: unknown; retryAfter?: unknown };
  if (code !== webApi.ErrorCode.RateLimitedError) return undefined;
  return { retryAfterMs: (typeof retryAfter === 'number' ? retryAfter : 1) * 1000 };
}

/** Creates the Slack pacing for one bot token. */
export function createSlackPacing(options: SlackPacingOptions): SlackPacing {
  const clock = options.clock ?? systemClock;
  const { logger } = options;
  const client = new webApi.WebClient(options.botToken, {
    ...(options.apiUrl ? { slackApiUrl: normalizeApiUrl(options.apiUrl) } : {}),
    logger: toBoltLogger(logger),
    rejectRateLimitedCalls: true,
    // Network failures are retried briefly; a 429 never is (the pacer waits it out or drops the call).
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 3000 },
    timeout: 60_000,
    ...(options.metrics ? { fetch: countingFetch(options.metrics) } : {}),
  });
  const models = createRateModels((bucket) => new TokenBucketModel(figuresOfBucket(bucket)));
  const limitLog = createRateLimitLog({ logger, clock });
  const pacer = createCallPacer({
    clock,
    models,
    rateLimitOf,
    limitLog,
    ...(options.progressIntervalMs === undefined ? {} : { minIntervalMs: options.progressIntervalMs }),
    onDecorativeError: (error, route) => logger.warn({ err: error, route }, 'a status update failed'),
  });
  const call = <Result>(method: PacedMethod | readonly PacedMethod[], place: CallPlace, send: () => Promise<Result>): PacedCall<Result> => {
    const methods: readonly PacedMethod[] = typeof method === 'string' ? [method] : method;
    return { buckets: methods.flatMap((each) => slackBuckets(each, place)), route: methods.join('+'), send };
  };
  return {
    client,
    pacer,
    call,
    outcome: (method, place, send) => pacer.outcome(call(method, place, send)),
    isRateLimited: (error) => rateLimitOf(error) !== undefined,
    watch(other) {
      other.on(webApi.WebClientEvent.RATE_LIMITED, (retryAfterSeconds: number, request: { url?: string }) =>
        limitLog.record({ route: slackMethodName(request.url ?? ''), callClass: 'outcome', handling: 'retried', retryAfterMs: retryAfterSeconds * 1000, answered429: true }),
      );
    },
    stop: () => pacer.stop(),
  };
}
