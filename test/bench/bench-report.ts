// Turns the job samples, the fake's task timings, the claim passes and the ledger figures into the benchmark's one JSON object.
import type { TaskTimingRecord } from '../fakes/providers/index.ts';
import { claimThroughput } from './claim-throughput.ts';
import type { JobLoadResult } from './job-load.ts';
import type { LedgerThroughput } from './ledger-throughput.ts';
import { machineCpuBetween } from './machine-cpu.ts';
import { distribution, type Distribution } from './percentiles.ts';
import { maxOver, processFigures, sumOver } from './process-figures.ts';

/** The targets; printed next to the figures, never asserted. */
export const targets = {
  overheadRatioP99: 1.05,
  detectionLagP99Ms: 1500,
  pollsPerJob: 12,
  /** Per process. */
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
  /** The ledger measurement of each process, run at the same time on one fresh database. */
  ledger: readonly LedgerThroughput[];
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

/** The benchmark's report for one configuration. */
export type BenchReport = ReturnType<typeof buildReport>;

/** Builds the JSON object printed on stdout. */
export function buildReport(context: ReportContext) {
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
  const processes = processFigures(load);
  const peakRssMb = maxOver(processes, (row) => row.peakRssMb);
  const botCpuMs = sumOver(processes, (row) => row.cpuMs);
  const claims = claimThroughput(load.workers.flatMap((worker) => worker.claimPasses));
  const ledgerPairsPerSecond = ledger.reduce((total, measured) => total + measured.pairsPerSecond, 0);
  const callTimes = load.workers.map((worker) => worker.callTimes);

  return {
    benchmark: 'nano-imagine: concurrent jobs through real runners in separate processes on one shared store, and the Xenodia client against the fake Xenodia',
    nodeVersion: process.version,
    settings: context.settings,
    jobs: {
      started: load.samples.length,
      completed,
      failed,
      failureCodes: failureCodes(load),
      measured: joined.length,
      // Should stay 0: a job ended by two processes would be a double delivery.
      endedByTwoProcesses: load.samples.filter((sample) => sample.endedBy.length > 1).length,
      // Claims spread: jobs first claimed by a process other than the one whose start() created them.
      claimedByAnotherProcess: load.samples.filter((sample) => sample.claimedBy[0] !== undefined && sample.claimedBy[0] !== sample.createdBy).length,
      neverClaimed: load.samples.filter((sample) => sample.claimedBy.length === 0).length,
    },
    overheadRatio: { p50: overheadRatio.p50, p90: overheadRatio.p90, p99: overheadRatio.p99, max: overheadRatio.max },
    endToEndMs: pick((job) => job.endToEndMs),
    taskDurationMs: pick((job) => job.durationMs),
    detectionLagMs,
    detectionLagAtFakeMs: pick((job) => job.fakeSideLagMs),
    submitMs: pick((job) => job.submitMs),
    // What an adapter waits for before it can answer the user: start() persists the job and runs a claim pass.
    startCallMs: distribution(load.samples.map((sample) => sample.startReturnedAt - sample.startCalledAt), 0),
    successToDeliveredMs: pick((job) => job.afterSuccessMs),
    pollsPerJob: {
      mean: polls.mean,
      p50: polls.p50,
      p99: polls.p99,
      max: polls.max,
      schedulerPolls: sumOver(processes, (row) => row.schedulerPolls),
      fakeStatusReads: fakeReads,
    },
    providerCallMs: {
      submit: distribution(callTimes.flatMap((times) => times.submitMs), 1),
      poll: distribution(callTimes.flatMap((times) => times.pollMs), 1),
    },
    maxPollsInFlight: Math.max(0, ...callTimes.map((times) => times.maxPollsInFlight)),
    claims: {
      ...claims,
      failedPasses: load.workers.reduce((total, worker) => total + worker.failedClaimPasses, 0),
      firstFailure: load.workers.find((worker) => worker.firstClaimFailure !== undefined)?.firstClaimFailure,
    },
    processes,
    cpuMs: { bot: botCpuMs, fake: context.fakeCpuMs, databaseServer: load.databaseServerCpuMs ?? 'not measured' },
    // "otherProcessesMs" is what neither the bot processes, the fake nor (when measured) the database server used.
    machineCpuDuringRun: machineCpuBetween(load.machineCpu.before, load.machineCpu.after, botCpuMs + context.fakeCpuMs + (load.databaseServerCpuMs ?? 0)) ?? 'unavailable',
    peakRssMb,
    peakRssPerProcessMb: processes.map((row) => row.peakRssMb),
    ledgerPairsPerSecond,
    ledger: { pairsPerSecond: ledgerPairsPerSecond, processes: ledger },
    startCallsMs: Math.round(load.startCallsMs),
    runWallMs: Math.round(load.runWallMs),
    wallTimeMs: Math.round(context.wallTimeMs),
    targets,
    targetsMet: {
      allCompleted: failed === 0,
      overheadRatioP99: overheadRatio.p99 <= targets.overheadRatioP99,
      detectionLagP99: detectionLagMs.p99 <= targets.detectionLagP99Ms,
      pollsPerJobMax: polls.max <= targets.pollsPerJob,
      peakRssPerProcess: peakRssMb <= targets.peakRssMb,
      ledgerPairsPerSecond: ledgerPairsPerSecond >= targets.ledgerPairsPerSecond,
    },
  };
}
