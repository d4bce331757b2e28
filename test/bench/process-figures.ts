// Per-process figures of a run (jobs created, claimed and ended, memory, CPU, event-loop delay), and their totals and maxima.
import type { JobLoadResult, WorkerMeasurement } from './job-load.ts';
import type { PoolQueueFigures } from './pool-queue-sampler.ts';
import { distribution, round } from './percentiles.ts';

const megabytes = (bytes: number) => round(bytes / 1_000_000, 1);

/** One bot process's row in the report. */
export interface ProcessFigures {
  index: number;
  pid: number;
  jobsCreated: number;
  jobsClaimed: number;
  /** Jobs whose end (delivery or failure) this process reported. */
  jobsEnded: number;
  claimPasses: number;
  claimPassMs: { p50: number; p99: number; max: number };
  peakRssMb: number;
  /** Highest RSS while this process had started its share and ended none of its jobs yet. */
  peakRssAllInFlightMb: number;
  rssBeforeJobsMb: number;
  cpuMs: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  schedulerPolls: number;
  /** Queries waiting for a pool connection (PostgreSQL only): a long queue means the pool sets the pace. */
  poolQueue: PoolQueueFigures | 'no pool (SQLite)';
  /** Progress reports sent to the delivery: what a platform would receive as message edits. */
  progressCalls: number;
  /** Of those, queue-place updates (one per waiting job whose place a claim pass moved). */
  queuePlaceCalls: number;
  rssSamples: number;
}

function figuresOf(worker: WorkerMeasurement, load: JobLoadResult): ProcessFigures {
  const passMs = distribution(worker.claimPasses.map((pass) => pass.durationMs), 2);
  return {
    index: worker.index,
    pid: worker.pid,
    jobsCreated: worker.starts.length,
    jobsClaimed: worker.claimedJobIds.length,
    jobsEnded: load.samples.filter((sample) => sample.endedBy.includes(worker.index)).length,
    claimPasses: worker.claimPasses.length,
    claimPassMs: { p50: passMs.p50, p99: passMs.p99, max: passMs.max },
    peakRssMb: megabytes(worker.rss.peakBytes),
    peakRssAllInFlightMb: megabytes(worker.rss.peakAllInFlightBytes),
    rssBeforeJobsMb: megabytes(worker.rssBeforeJobsBytes),
    cpuMs: worker.cpuMs,
    eventLoopDelayMs: worker.eventLoopDelayMs,
    schedulerPolls: worker.schedulerPolls,
    poolQueue: worker.poolQueue ?? 'no pool (SQLite)',
    progressCalls: worker.progressCalls,
    queuePlaceCalls: worker.queuePlaceCalls,
    rssSamples: worker.rss.samples,
  };
}

/** Every process's row, in index order. */
export function processFigures(load: JobLoadResult): ProcessFigures[] {
  return [...load.workers].sort((left, right) => left.index - right.index).map((worker) => figuresOf(worker, load));
}

/** The largest value of `select` over the processes (0 when there are none). */
export function maxOver(rows: readonly ProcessFigures[], select: (row: ProcessFigures) => number): number {
  return rows.reduce((largest, row) => Math.max(largest, select(row)), 0);
}

/** The sum of `select` over the processes. */
export function sumOver(rows: readonly ProcessFigures[], select: (row: ProcessFigures) => number): number {
  return rows.reduce((total, row) => total + select(row), 0);
}
