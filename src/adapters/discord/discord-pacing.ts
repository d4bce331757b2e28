// The Discord connection's pacer: bucket models learned from X-RateLimit-* headers, a REST client for decoration that never waits, and the rate-limit log.
import { RateLimitError, REST, type Client } from 'discord.js';
import type { PlatformMetrics } from '../../core/bot-metrics.ts';
import { systemClock, type Clock } from '../../core/clock.ts';
import { createCallPacer, type CallPacer } from '../../core/pacing/call-pacer.ts';
import { ObservedWindowModel } from '../../core/pacing/observed-window-model.ts';
import { createRateLimitLog, type RateLimitLog } from '../../core/pacing/rate-limit-log.ts';
import type { CallClass, RateLimitSignal } from '../../core/pacing/rate-model.ts';
import { createRateModels, type RateModels } from '../../core/pacing/rate-models.ts';
import type { Logger } from '../../log.ts';
import { assumedFiguresOf, globalBucket, routeOfPath } from './rate-buckets.ts';
import { restMethodName } from './rest-metrics.ts';

/** Every paced Discord call of the adapter goes through this. */
export interface DiscordPacing {
  pacer: CallPacer;
  /**
   * REST for status and progress edits. Unlike the client's own REST it never waits for a bucket
   * (it refuses the call instead) and never retries a 429: the edit is dropped and a newer one follows,
   * while the client's queue (results, final edits, buttons) is never held up behind decoration.
   */
  decorativeRest: REST;
  stop(): Promise<void>;
}

/** What the pacing needs: the logged-in client, a logger, the least interval between edits of one message, and the edges. */
export interface DiscordPacingOptions {
  client: Client;
  logger: Logger;
  /** Least time between two progress edits of one message (default 3 s). */
  progressIntervalMs?: number;
  /** Where the decorative client's calls and 429s are counted (the client's own are counted where it is built). */
  metrics?: PlatformMetrics;
  clock?: Clock;
}

/** The answer parts the pacing reads: its status and headers. */
interface Answer {
  status: number;
  headers: { get(name: string): string | null };
}

/** A number header, or undefined when absent or malformed. */
function numberHeader(answer: Answer, name: string): number | undefined {
  const value = answer.headers.get(name);
  const parsed = value === null ? Number.NaN : Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** A refusal by the decorative REST: a 429, or its own refusal to wait for an empty bucket (nothing was sent then). */
function rateLimitOf(error: unknown): RateLimitSignal | undefined {
  if (!(error instanceof RateLimitError)) return undefined;
  const retryAfterMs = Math.max(error.retryAfter, error.timeToReset, 0);
  // discord.js reports the same wait twice when it refuses before sending; a 429's Retry-After differs from its own reckoning.
  const answered429 = error.retryAfter !== error.timeToReset;
  return { retryAfterMs, answered429, ...(error.global ? { bucket: globalBucket } : {}) };
}

/**
 * Teaches the models from one answer: its bucket's limit, remaining count and reset, and on a 429 the
 * wait it asks for (global or per route). Outcome 429s are logged here (discord.js waits them out and
 * retries); decorative ones are logged by the pacer when the refusal reaches it.
 */
function learn(models: RateModels<ObservedWindowModel>, limitLog: RateLimitLog, clock: Clock, request: { method: string; path: string }, answer: Answer, callClass: CallClass): void {
  const route = routeOfPath(request.method, request.path);
  const now = clock.now();
  const limit = numberHeader(answer, 'x-ratelimit-limit');
  const remaining = numberHeader(answer, 'x-ratelimit-remaining');
  const resetAfter = numberHeader(answer, 'x-ratelimit-reset-after');
  if (route.bucket !== undefined && limit !== undefined && remaining !== undefined && resetAfter !== undefined) {
    models.get(route.bucket).observe({ limit, remaining, resetAfterMs: resetAfter * 1000 }, now);
  }
  if (answer.status !== 429) return;
  const retryAfterMs = (numberHeader(answer, 'retry-after') ?? resetAfter ?? 1) * 1000;
  const global = answer.headers.get('x-ratelimit-global') !== null;
  const bucket = global ? globalBucket : route.bucket;
  if (bucket !== undefined) models.get(bucket).rateLimited(retryAfterMs, now);
  if (callClass === 'outcome') limitLog.record({ route: route.template, callClass, handling: 'retried', retryAfterMs, answered429: true });
}

/** Creates the pacing for a logged-in client. */
export function createDiscordPacing(options: DiscordPacingOptions): DiscordPacing {
  const { client, logger } = options;
  const clock = options.clock ?? systemClock;
  const models = createRateModels((bucket) => new ObservedWindowModel({ assumed: assumedFiguresOf(bucket) }));
  const limitLog = createRateLimitLog({ logger, clock });
  const decorativeRest = new REST({ ...client.rest.options, rejectOnRateLimit: () => true, retries: 0 });
  if (client.token) decorativeRest.setToken(client.token);

  const onClientAnswer = (request: { method: string; path: string }, answer: Answer) => learn(models, limitLog, clock, request, answer, 'outcome');
  const onDecorativeAnswer = (request: { method: string; path: string; route: string }, answer: Answer) => {
    learn(models, limitLog, clock, request, answer, 'decorative');
    options.metrics?.platformCall('discord', restMethodName(request.method, request.route), answer.status);
  };
  // discord.js holding a call back because its bucket is empty: no 429 is sent, but the wait is worth knowing about.
  const onClientWait = (data: { method: string; route: string; timeToReset: number }) =>
    limitLog.record({ route: restMethodName(data.method, data.route), callClass: 'outcome', handling: 'waited', retryAfterMs: data.timeToReset, answered429: false });
  client.rest.on('response', onClientAnswer);
  client.rest.on('rateLimited', onClientWait);
  decorativeRest.on('response', onDecorativeAnswer);

  const pacer = createCallPacer({
    clock,
    models,
    rateLimitOf,
    limitLog,
    ...(options.progressIntervalMs === undefined ? {} : { minIntervalMs: options.progressIntervalMs }),
    // Like discord.js, one request per route bucket at a time (the global bucket is not a queue).
    serializes: (bucket) => bucket !== globalBucket,
    onDecorativeError: (error, route) => logger.warn({ err: error, route }, 'a progress edit failed'),
  });
  return {
    pacer,
    decorativeRest,
    async stop() {
      client.rest.off('response', onClientAnswer);
      client.rest.off('rateLimited', onClientWait);
      decorativeRest.off('response', onDecorativeAnswer);
      await pacer.stop();
    },
  };
}
