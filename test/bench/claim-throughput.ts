// Claim throughput over every bot process: jobs claimed per second of claim-pass time, where passes of all processes count once when they overlap.
import { distribution, round, type Distribution } from './percentiles.ts';
import type { ClaimPassRecord } from './timed-claims.ts';

/** The claim figures of one run. */
export interface ClaimThroughput {
  /**
   * Jobs claimed ÷ seconds during which at least one process was inside `store.claimJobs` (the union
   * of every pass's interval). Passes are serialized across processes (PostgreSQL: an advisory lock;
   * SQLite: BEGIN IMMEDIATE), so that union is the time the claim path was busy; the figure is the
   * rate at which claiming hands out jobs while it works, not how fast jobs arrived.
   */
  claimsPerSecond: number;
  /** Claim passes ÷ the same busy seconds: how many passes the claim path can run a second at this load. */
  passesPerSecond: number;
  busyMs: number;
  passes: number;
  /** Passes that leased at least one job. */
  passesThatClaimed: number;
  jobsClaimed: number;
  /** Claims of jobs another process had held before (expired leases). */
  takenOver: number;
  /** Time inside one `claimJobs` call as its process saw it, waiting for the lock included. */
  passMs: Distribution;
  /** Jobs claimed in one pass, over the passes that claimed any. */
  jobsPerClaimingPass: Distribution;
}

/** Length of the union of the intervals [startedAt, startedAt + durationMs). */
function unionMs(passes: readonly ClaimPassRecord[]): number {
  const sorted = [...passes].sort((left, right) => left.startedAt - right.startedAt);
  let total = 0;
  let current: { start: number; end: number } | undefined;
  for (const pass of sorted) {
    const end = pass.startedAt + pass.durationMs;
    if (current === undefined || pass.startedAt > current.end) {
      if (current !== undefined) total += current.end - current.start;
      current = { start: pass.startedAt, end };
    } else {
      current.end = Math.max(current.end, end);
    }
  }
  return total + (current === undefined ? 0 : current.end - current.start);
}

/** Summarizes the passes of every process (their records concatenated). */
export function claimThroughput(passes: readonly ClaimPassRecord[]): ClaimThroughput {
  const busyMs = unionMs(passes);
  const jobsClaimed = passes.reduce((total, pass) => total + pass.claimed, 0);
  const claiming = passes.filter((pass) => pass.claimed > 0);
  const perSecond = (count: number) => (busyMs > 0 ? Math.round(count / (busyMs / 1000)) : 0);
  return {
    claimsPerSecond: perSecond(jobsClaimed),
    passesPerSecond: perSecond(passes.length),
    busyMs: round(busyMs, 1),
    passes: passes.length,
    passesThatClaimed: claiming.length,
    jobsClaimed,
    takenOver: passes.reduce((total, pass) => total + pass.takenOver, 0),
    passMs: distribution(passes.map((pass) => pass.durationMs), 2),
    jobsPerClaimingPass: distribution(claiming.map((pass) => pass.claimed), 1),
  };
}
