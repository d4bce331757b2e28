// Turns what one platform run observed into the benchmark's figures: 429s by kind, finish→posted, gaps between updates, calls per job.
import type { BenchPlatform } from './platform-bench-options.ts';
import { distribution, round } from './percentiles.ts';

/** What a refused call was for. */
export type RefusedKind = 'outcome' | 'status' | 'progress' | 'other';

/** One job as the run saw it. */
export interface ObservedDelivery {
  jobId: string;
  /** When the provider finished the task (the fake's own record). */
  finishedAt: number;
  /** When the image appeared in the chat. */
  postedAt: number | undefined;
  /** When the image's buttons appeared (on Discord the same edit as the image). */
  buttonsAt: number | undefined;
  /** From the command to the first thing its user saw in the channel (a status message, or the image). */
  firstVisibleMs: number | undefined;
}

/** What one platform run observed. */
export interface PlatformObservations {
  platform: BenchPlatform;
  jobs: { started: number; delivered: number; failed: number };
  deliveries: ObservedDelivery[];
  /** For each pending message: when it appeared and each time it changed, up to its final state. */
  pendingMessages: Array<{ updates: number[]; ended: boolean }>;
  /** 429s the fake answered, by what the call was for. */
  refused: Record<RefusedKind, number>;
  /** Every call the platform received (byte uploads included), by route or method. */
  calls: Record<string, number>;
  /** How long the run took from the first command to the last button. */
  durationMs: number;
}

/** p50 / p99 / max of a set of durations in milliseconds. */
function spread(values: number[]): { p50: number; p99: number; max: number; count: number } {
  const { p50, p99, max, count } = distribution(values, 0);
  return { p50, p99, max, count };
}

/** The largest gap between two consecutive updates of one pending message. */
function largestGap(pending: PlatformObservations['pendingMessages']): number {
  let largest = 0;
  for (const message of pending) {
    const times = [...message.updates].sort((left, right) => left - right);
    for (let index = 1; index < times.length; index += 1) largest = Math.max(largest, (times[index] as number) - (times[index - 1] as number));
  }
  return largest;
}

/** The benchmark's figures for one platform, with the targets checked. */
export function platformReport(observations: PlatformObservations) {
  const { deliveries, refused } = observations;
  const present = (values: Array<number | undefined>) => values.filter((value): value is number => value !== undefined);
  const finishToPosted = present(deliveries.map((entry) => (entry.postedAt === undefined ? undefined : entry.postedAt - entry.finishedAt)));
  const finishToButtons = present(deliveries.map((entry) => (entry.buttonsAt === undefined ? undefined : entry.buttonsAt - entry.finishedAt)));
  const totalRefused = Object.values(refused).reduce((sum, count) => sum + count, 0);
  const totalCalls = Object.values(observations.calls).reduce((sum, count) => sum + count, 0);
  const gap = largestGap(observations.pendingMessages);
  const postedSpread = spread(finishToPosted);
  return {
    platform: observations.platform,
    jobs: observations.jobs,
    rateLimited: { total: totalRefused, ...refused },
    finishToPostedMs: postedSpread,
    finishToButtonsMs: spread(finishToButtons),
    firstVisibleMs: spread(present(deliveries.map((entry) => entry.firstVisibleMs))),
    pendingMessages: {
      count: observations.pendingMessages.length,
      neverEnded: observations.pendingMessages.filter((message) => !message.ended).length,
      largestGapBetweenUpdatesMs: gap,
    },
    apiCallsPerJob: round(totalCalls / Math.max(1, observations.jobs.started), 2),
    callsByRoute: observations.calls,
    durationMs: Math.round(observations.durationMs),
    targets: {
      noOutcome429s: refused.outcome === 0,
      finishToPostedP99Under2s: postedSpread.count === deliveries.length && postedSpread.p99 < 2000,
      everyPendingMessageUpdatedWithinAMinute: gap <= 60_000 && observations.pendingMessages.every((message) => message.ended),
      fewerThan5RateLimited: totalRefused < 5,
    },
  };
}

/** One platform's section of the printed report. */
export type PlatformReport = ReturnType<typeof platformReport>;
