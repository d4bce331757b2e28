// Wraps a store's claimJobs to record every claim pass (when, how long, what it claimed), so the benchmark can report claim throughput.
import type { BotStore } from '../../src/store/index.ts';

/** One claim pass as the calling process saw it. */
export interface ClaimPassRecord {
  /** Start on the shared wall clock with sub-millisecond precision (performance.timeOrigin + performance.now()). */
  startedAt: number;
  /** Time inside `store.claimJobs`, including waiting for the claim lock other processes hold. */
  durationMs: number;
  /** Jobs leased by this pass (new ones and takeovers). */
  claimed: number;
  /** Of those, jobs another process had held before (expired lease). */
  takenOver: number;
  /** Jobs the pass saw waiting and left in line. */
  leftWaiting: number;
}

/** What the wrapper recorded. */
export interface ClaimRecorder {
  passes: ClaimPassRecord[];
  /** Every job this process claimed, in claim order. */
  claimedJobIds: string[];
  /** Passes that threw (the runner logs and retries them; the benchmark's logger is silent, so they are counted here). */
  failedPasses: number;
  /** The first such error's message. */
  firstFailure: string | undefined;
}

/** Wall-clock milliseconds with the monotonic clock's precision: passes of different processes are compared on it. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

/** The same store with `claimJobs` recorded into `recorder`; everything else is untouched. */
export function recordClaimPasses(store: BotStore, recorder: ClaimRecorder): BotStore {
  return {
    ...store,
    async claimJobs(request) {
      const startedAt = preciseNow();
      let outcome: Awaited<ReturnType<BotStore['claimJobs']>>;
      try {
        outcome = await store.claimJobs(request);
      } catch (error) {
        recorder.failedPasses += 1;
        recorder.firstFailure ??= error instanceof Error ? error.message : String(error);
        throw error;
      }
      recorder.passes.push({
        startedAt,
        durationMs: preciseNow() - startedAt,
        claimed: outcome.claimed.length,
        takenOver: outcome.claimed.filter((claimed) => claimed.takenOver).length,
        leftWaiting: outcome.positions.size,
      });
      for (const claimed of outcome.claimed) recorder.claimedJobIds.push(claimed.job.id);
      return outcome;
    },
  };
}
