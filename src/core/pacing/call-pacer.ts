// Sends platform calls in order of importance within the platform's rate limits: outcomes first and never dropped, decoration from what is left.
import type { Clock, TimerHandle } from '../clock.ts';
import { sleep } from '../clock.ts';
import { DecorativeBoard, type BoardEntry, type DropReason } from './decorative-board.ts';
import type { RateLimitLog } from './rate-limit-log.ts';
import type { CallClass, RateLimitSignal } from './rate-model.ts';
import type { RateModels } from './rate-models.ts';

/** One platform call and the buckets it spends from. */
export interface PacedCall<Result> {
  /** Bucket keys the call counts against (its route, and the global bucket where the platform has one). */
  buckets: readonly string[];
  /** The route as a template without ids or tokens, for logs. */
  route: string;
  /** Makes the call. */
  send(): Promise<Result>;
}

/** The newest state of one message, to be shown when the budget allows. */
export interface DecorativeCall extends PacedCall<void> {
  /** True for a first post (kept until sent, sent again after a 429); false for an edit (dropped when stale, superseded or refused). */
  essential: boolean;
}

/** What the pacer did, for benchmarks, tests and metrics. */
export interface PacerStats {
  /** Calls sent, by class. */
  sent: Record<CallClass, number>;
  /** Calls the platform refused for a rate limit, by class (each was dropped, or waited out and sent again). */
  rateLimited: Record<CallClass, number>;
  /** Decorative states never sent, by why. */
  dropped: Record<DropReason | 'refused' | 'failed', number>;
}

/** The pacer of one platform connection. */
export interface CallPacer {
  /**
   * Sends an outcome (a result, a final edit, an error ending, buttons) as soon as its buckets allow,
   * ahead of every status and decorative call on them; a 429 is waited out and the call sent again, never dropped.
   */
  outcome<Result>(call: PacedCall<Result>): Promise<Result>;
  /**
   * Sends a status or decorative call at once when its buckets have budget for it now (a 429 is thrown to
   * the caller after being counted); undefined, without sending, when they have not.
   */
  trySend<Result>(call: PacedCall<Result>, callClass: Exclude<CallClass, 'outcome'>): Promise<Result> | undefined;
  /** Offers the newest state of `messageKey`: sent when the budget allows, replacing any unsent older state. */
  decorate(messageKey: string, call: DecorativeCall): void;
  /** Drops the unsent state of `messageKey` and waits for a send of it already under way (its outcome comes next). */
  settle(messageKey: string): Promise<void>;
  stats(): PacerStats;
  /** Drops every unsent state and waits for sends under way. */
  stop(): Promise<void>;
}

/** What the pacer is built from: the platform's bucket models, how its errors name a rate limit, and the edges. */
export interface CallPacerOptions {
  clock: Clock;
  models: RateModels;
  /** The rate limit a failed call ran into, or undefined for any other failure. */
  rateLimitOf(error: unknown): RateLimitSignal | undefined;
  limitLog: RateLimitLog;
  /** Called when a status or decorative call fails for another reason (the message is gone, access was removed). */
  onDecorativeError?(error: unknown, route: string): void;
  /** Least time between two decorative edits of one message (default 3 s). */
  minIntervalMs?: number;
  /** Decorative states that waited longer than this are dropped rather than sent late (default 60 s). */
  staleAfterMs?: number;
  /** Status and decorative calls in flight at once (default 8). */
  maxInFlight?: number;
  /**
   * Buckets whose calls go out one at a time (default none). Discord's client sends one request per bucket
   * at a time and queues the rest: a call released while another is in flight would reach Discord later
   * than it was counted, perhaps in the next window, so the pacer keeps to the same order.
   */
  serializes?(bucket: string): boolean;
}

/** An outcome never sleeps longer than this between checks of its buckets. */
const longestOutcomeWaitMs = 60_000;

/** Creates a pacer; nothing runs until calls are given to it. */
export function createCallPacer(options: CallPacerOptions): CallPacer {
  const { clock, models, limitLog } = options;
  const minIntervalMs = options.minIntervalMs ?? 3000;
  const staleAfterMs = options.staleAfterMs ?? 60_000;
  const maxInFlight = options.maxInFlight ?? 8;
  const stats: PacerStats = {
    sent: { outcome: 0, status: 0, decorative: 0 },
    rateLimited: { outcome: 0, status: 0, decorative: 0 },
    dropped: { superseded: 0, stale: 0, settled: 0, refused: 0, failed: 0 },
  };
  const board = new DecorativeBoard<DecorativeCall>((_entry, reason) => {
    stats.dropped[reason] += 1;
  });
  /** Outcomes waiting for or using each bucket: status and decorative calls keep off it meanwhile. */
  const outcomeHolds = new Map<string, number>();
  const inFlight = new Map<string, Promise<void>>();
  /** Serialized buckets with a call in flight, and who waits for one to be free. */
  const busy = new Set<string>();
  let idleWaiters: Array<() => void> = [];
  const serializes = options.serializes ?? (() => false);
  let pumpTimer: TimerHandle | undefined;
  let pumpAt = Number.POSITIVE_INFINITY;
  let stopped = false;

  function hold(buckets: readonly string[], change: 1 | -1): void {
    for (const bucket of buckets) {
      const count = (outcomeHolds.get(bucket) ?? 0) + change;
      if (count > 0) outcomeHolds.set(bucket, count);
      else outcomeHolds.delete(bucket);
    }
  }

  function isBusy(buckets: readonly string[]): boolean {
    return buckets.some((bucket) => busy.has(bucket));
  }

  /** Marks `buckets` busy while `work` runs, then wakes whoever waits for one. */
  async function occupying<Result>(buckets: readonly string[], work: () => Promise<Result>): Promise<Result> {
    const taken = buckets.filter(serializes);
    for (const bucket of taken) busy.add(bucket);
    try {
      return await work();
    } finally {
      for (const bucket of taken) busy.delete(bucket);
      if (taken.length > 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const wake of waiters) wake();
      }
    }
  }

  /** Resolves when a serialized bucket's call ends. */
  function nextIdle(): Promise<void> {
    return new Promise((resolve) => idleWaiters.push(resolve));
  }

  function delayOf(buckets: readonly string[], callClass: CallClass, now: number): number {
    return Math.max(0, ...buckets.map((bucket) => models.get(bucket).delayFor(callClass, now)));
  }

  function spend(buckets: readonly string[], callClass: CallClass, now: number): void {
    for (const bucket of buckets) models.get(bucket).spend(callClass, now);
  }

  /** Counts and logs a refused call and teaches its buckets; false when `error` is no rate limit. */
  function learnRefusal(call: PacedCall<unknown>, callClass: CallClass, error: unknown, kept: boolean): boolean {
    const signal = options.rateLimitOf(error);
    if (signal === undefined) return false;
    const now = clock.now();
    for (const bucket of signal.bucket === undefined ? call.buckets : [signal.bucket]) models.get(bucket).rateLimited(signal.retryAfterMs, now);
    stats.rateLimited[callClass] += 1;
    limitLog.record({
      route: call.route,
      callClass,
      handling: kept ? 'retried' : 'dropped',
      retryAfterMs: signal.retryAfterMs,
      answered429: signal.answered429 ?? true,
    });
    return true;
  }

  function schedulePump(delayMs: number): void {
    if (stopped) return;
    const at = clock.now() + Math.max(0, delayMs);
    if (pumpTimer !== undefined && pumpAt <= at) return;
    if (pumpTimer !== undefined) clock.clearTimeout(pumpTimer);
    pumpAt = at;
    pumpTimer = clock.setTimeout(pump, Math.max(0, delayMs));
  }

  function send(entry: BoardEntry<DecorativeCall>, callClass: CallClass): void {
    const sending = (async () => {
      try {
        await occupying(entry.update.buckets, () => entry.update.send());
        board.markSent(entry.key, clock.now());
        stats.sent[callClass] += 1;
      } catch (error) {
        if (learnRefusal(entry.update, callClass, error, entry.essential)) {
          if (entry.essential) board.restore(entry);
          else stats.dropped.refused += 1;
          return;
        }
        stats.dropped.failed += 1;
        options.onDecorativeError?.(error, entry.update.route);
      }
    })();
    inFlight.set(entry.key, sending);
    void sending.finally(() => {
      if (inFlight.get(entry.key) === sending) inFlight.delete(entry.key);
      schedulePump(0);
    });
  }

  /** Sends every waiting state its buckets allow now, in round-robin order; wakes again when the next one may go. */
  function pump(): void {
    pumpTimer = undefined;
    pumpAt = Number.POSITIVE_INFINITY;
    if (stopped) return;
    const now = clock.now();
    board.dropStale(now, staleAfterMs);
    models.prune(now);
    let wakeIn = Number.POSITIVE_INFINITY;
    for (const entry of board.ordered()) {
      if (inFlight.size >= maxInFlight) break;
      if (inFlight.has(entry.key)) continue;
      const { buckets, essential } = entry.update;
      const last = board.lastSentAt(entry.key);
      if (!essential && last !== undefined && now < last + minIntervalMs) {
        wakeIn = Math.min(wakeIn, last + minIntervalMs - now);
        continue;
      }
      // An outcome waiting on a bucket has it first; its end (like any serialized call's) wakes the pump again.
      if (buckets.some((bucket) => outcomeHolds.has(bucket)) || isBusy(buckets)) continue;
      const callClass: CallClass = essential ? 'status' : 'decorative';
      const delay = delayOf(buckets, callClass, now);
      if (delay > 0) {
        wakeIn = Math.min(wakeIn, delay);
        continue;
      }
      spend(buckets, callClass, now);
      board.take(entry.key);
      send(entry, callClass);
    }
    // Stale states are dropped on the next pass even when nothing else would wake it.
    if (board.size > 0) schedulePump(Math.min(wakeIn, staleAfterMs));
  }

  return {
    async outcome<Result>(call: PacedCall<Result>): Promise<Result> {
      hold(call.buckets, 1);
      try {
        for (;;) {
          if (isBusy(call.buckets)) {
            await nextIdle();
            continue;
          }
          const delay = delayOf(call.buckets, 'outcome', clock.now());
          if (delay > 0) {
            await sleep(clock, Math.min(delay, longestOutcomeWaitMs));
            continue;
          }
          spend(call.buckets, 'outcome', clock.now());
          try {
            const result = await occupying(call.buckets, () => call.send());
            stats.sent.outcome += 1;
            return result;
          } catch (error) {
            if (!learnRefusal(call, 'outcome', error, true)) throw error;
          }
        }
      } finally {
        hold(call.buckets, -1);
        schedulePump(0);
      }
    },

    trySend<Result>(call: PacedCall<Result>, callClass: Exclude<CallClass, 'outcome'>): Promise<Result> | undefined {
      const now = clock.now();
      if (stopped || call.buckets.some((bucket) => outcomeHolds.has(bucket)) || isBusy(call.buckets)) return undefined;
      if (delayOf(call.buckets, callClass, now) > 0) return undefined;
      spend(call.buckets, callClass, now);
      return occupying(call.buckets, () => call.send()).then(
        (result) => {
          stats.sent[callClass] += 1;
          return result;
        },
        (error: unknown) => {
          learnRefusal(call, callClass, error, false);
          throw error;
        },
      );
    },

    decorate(messageKey, call) {
      if (stopped) return;
      board.offer(messageKey, call, call.essential, clock.now());
      schedulePump(0);
    },

    async settle(messageKey) {
      board.forget(messageKey);
      await inFlight.get(messageKey);
    },

    stats: () => structuredClone(stats),

    async stop() {
      stopped = true;
      if (pumpTimer !== undefined) clock.clearTimeout(pumpTimer);
      pumpTimer = undefined;
      for (const entry of board.ordered()) board.drop(entry.key);
      await Promise.allSettled([...inFlight.values()]);
      limitLog.flush();
    },
  };
}
