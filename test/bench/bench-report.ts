// Turns the job samples, the fake's task timings and the ledger figure into the benchmark's one JSON object.
import type { TaskTimingRecord } from '../fakes/providers/index.ts';
import { machineCpuBetween } from './machine-cpu.ts';
import { distribution, round, type Distribution } from './percentiles.ts';
import type { JobLoadResult } from './job-load.ts';
import type { LedgerThroughput } from './ledger-throughput.ts';

/** The targets; printed next to the figures, never asserted. */
export const targets = {
  overheadRatioP99: 1.05,
  detectionLagP99Ms: 1500,
  pollsPerJob: 12,
  peakRssMb: 300,
  ledgerPairsPerSecond: 20_000,
} as const;

/** What the report needs besides the measurements. */
export interface ReportContext {
  settings: Record<string, unknown>;
  load: JobLoadResult;
  tasks: readonly TaskTimingRecord[];
  /** CPU time the fake's child process used (it shares the machine's cores with the bot). */
  fakeCpuMs: number;
  ledger: LedgerThroughput;
  wallTimeMs: number;
}

/** Per-job figures that need both the bot's and the fake's view of the job. */
interface JoinedJob {
  endToEndMs: number;
  durationMs: number;
  overheadRatio: number;
  detectionLagMs: number;
  fakeSideLagMs: number | undefined;
  afterSuccessMs: number;
  submitMs: number;
  polls: number;
}

function joinJobs(load: JobLoadResult, tasks: readonly TaskTimingRecord[]): JoinedJob[] {
  const taskById = new Map(tasks.map((task) => [task.id, task]));
  const joined: JoinedJob[] = [];
  for (const sample of load.samples) {
    const task = sample.taskId === null ? undefined : taskById.get(sample.taskId);
    if (task === undefined || sample.outcome?.kind !== 'delivered' || sample.succeededAt === null) continue;
    const endToEndMs = sample.outcome.at - sample.startCalledAt;
    joined.push({
      endToEndMs,
      durationMs: task.durationMs,
      overheadRatio: endToEndMs / task.durationMs,
      detectionLagMs: sample.succeededAt - task.finishedAt,
      fakeSideLagMs: task.firstFinishedAnswerAt === undefined ? undefined : task.firstFinishedAnswerAt - task.finishedAt,
      afterSuccessMs: sample.outcome.at - sample.succeededAt,
      submitMs: task.createdAt - sample.startCalledAt,
      polls: task.reads,
    });
  }
  return joined;
}

function failureCodes(load: JobLoadResult): Record<string, number> {
  const codes: Record<string, number> = {};
  for (const { outcome } of load.samples) {
    if (outcome?.kind === 'delivered') continue;
    const code = outcome === undefined ? 'never_settled' : (outcome.errorCode ?? 'unknown');
    codes[code] = (codes[code] ?? 0) + 1;
  }
  return codes;
}

const megabytes = (bytes: number) => round(bytes / 1_000_000, 1);

/** Builds the JSON object printed on stdout. */
export function buildReport(context: ReportContext): Record<string, unknown> {
  const { load, tasks, ledger } = context;
  const joined = joinJobs(load, tasks);
  const completed = load.samples.filter((sample) => sample.outcome?.kind === 'delivered').length;
  const failed = load.samples.length - completed;
  const pick = (select: (job: JoinedJob) => number | undefined, digits = 0): Distribution => {
    const values = joined.map(select).filter((value): value is number => value !== undefined);
    return distribution(values, digits);
  };
  const overheadRatio = pick((job) => job.overheadRatio, 4);
  const detectionLagMs = pick((job) => job.detectionLagMs);
  const polls = pick((job) => job.polls, 2);
  const fakeReads = tasks.reduce((total, task) => total + task.reads, 0);
  const peakRssMb = megabytes(load.rss.peakBytes);

  return {
    benchmark: 'nano-imagine: concurrent jobs through the real runner, SQLite and Xenodia client against the fake Xenodia',
    nodeVersion: process.version,
    settings: context.settings,
    jobs: { started: load.samples.length, completed, failed, failureCodes: failureCodes(load), measured: joined.length },
    overheadRatio: { p50: overheadRatio.p50, p90: overheadRatio.p90, p99: overheadRatio.p99, max: overheadRatio.max },
    endToEndMs: pick((job) => job.endToEndMs),
    taskDurationMs: pick((job) => job.durationMs),
    detectionLagMs,
    detectionLagAtFakeMs: pick((job) => job.fakeSideLagMs),
    submitMs: pick((job) => job.submitMs),
    successToDeliveredMs: pick((job) => job.afterSuccessMs),
    pollsPerJob: {
      mean: polls.mean,
      p50: polls.p50,
      p99: polls.p99,
      max: polls.max,
      schedulerPolls: load.schedulerPolls,
      fakeStatusReads: fakeReads,
    },
    providerCallMs: { submit: distribution(load.callTimes.submitMs, 1), poll: distribution(load.callTimes.pollMs, 1) },
    maxPollsInFlight: load.callTimes.maxPollsInFlight,
    eventLoopDelayMs: load.eventLoopDelayMs,
    cpuMs: { bot: load.cpuMs, fake: context.fakeCpuMs },
    machineCpuDuringRun: machineCpuBetween(load.machineCpu.before, load.machineCpu.after, load.cpuMs + context.fakeCpuMs) ?? 'unavailable',
    peakRssMb,
    rssBeforeJobsMb: megabytes(load.rssBeforeJobsBytes),
    peakRssAllInFlightMb: megabytes(load.rss.peakAllInFlightBytes),
    rssSamples: load.rss.samples,
    ledgerPairsPerSecond: ledger.pairsPerSecond,
    ledger,
    startCallsMs: Math.round(load.startCallsMs),
    runWallMs: Math.round(load.runWallMs),
    wallTimeMs: Math.round(context.wallTimeMs),
    targets,
    targetsMet: {
      allCompleted: failed === 0,
      overheadRatioP99: overheadRatio.p99 <= targets.overheadRatioP99,
      detectionLagP99: detectionLagMs.p99 <= targets.detectionLagP99Ms,
      pollsPerJobMax: polls.max <= targets.pollsPerJob,
      peakRss: peakRssMb <= targets.peakRssMb,
      ledgerPairsPerSecond: ledger.pairsPerSecond >= targets.ledgerPairsPerSecond,
    },
  };
}
