// Runs N concurrent jobs through the bot processes (real runners on one shared database) and joins each job's timeline from their reports.
import type { BotStore } from '../../src/store/index.ts';
import type { DeliveryOutcome } from './bench-delivery.ts';
import type { BenchOptions } from './bench-options.ts';
import type { BenchWorker } from './bench-worker-child.ts';
import type { WorkerRunResult } from './bench-worker-messages.ts';
import { readMachineCpu, type MachineCpuSnapshot } from './machine-cpu.ts';
import type { OutcomeBook } from './outcome-book.ts';

/** One job's timeline, joined from its creator's, its claimers' and the store's view. */
export interface JobSample {
  jobId: string;
  /** Just before `runner.start()` was called, in the creating process. */
  startCalledAt: number;
  /** When that `start()` returned. */
  startReturnedAt: number;
  /** The provider's task id (joins the fake's timings). */
  taskId: string | null;
  /** When the runner stored the task as succeeded, right after the poll that saw it (the store's `finishedAt`). */
  succeededAt: number | null;
  /** The first reported end (delivered or failed). */
  outcome: DeliveryOutcome | undefined;
  /** Index of the process that created the job. */
  createdBy: number;
  /** Every process that claimed it, in order (more than one means a lease was taken over). */
  claimedBy: number[];
  /** Every process that reported its end (more than one would be a double delivery). */
  endedBy: number[];
}

/** What one bot process measured, with its index. */
export type WorkerMeasurement = WorkerRunResult & { index: number };

/** Everything the job run measured. */
export interface JobLoadResult {
  samples: JobSample[];
  workers: WorkerMeasurement[];
  /** False when the run gave up waiting (no job ended for the stall time). */
  allEnded: boolean;
  /** Machine-wide CPU counters at the start and end of the job run (undefined off Linux). */
  machineCpu: { before: MachineCpuSnapshot | undefined; after: MachineCpuSnapshot | undefined };
  /** From the start command until the last job ended. */
  runWallMs: number;
  /** How long issuing every `start()` call took (the slowest process). */
  startCallsMs: number;
  /** CPU the database server used during the job run (embedded PostgreSQL on Linux; undefined otherwise). */
  databaseServerCpuMs: number | undefined;
}

/** The inputs of one job run. */
export interface JobLoadContext {
  options: BenchOptions;
  /** Ready bot processes whose streamed reports go to `book`. */
  workers: readonly BenchWorker[];
  book: OutcomeBook;
  /** The shared store, opened by the benchmark itself (it reads the jobs afterwards). */
  store: BotStore;
  /** The database server's CPU so far, when it can be read. */
  databaseServerCpuMs: () => number | undefined;
  log: (line: string) => void;
}

const megabytes = (bytes: number) => Math.round(bytes / 1e6);

/** Job numbers 0..jobs-1 dealt round-robin, as events spread over processes (Discord shards, Slack connections). */
function share(jobs: number, processes: number, index: number): number[] {
  return Array.from({ length: jobs }, (_, job) => job).filter((job) => job % processes === index);
}

/** Starts every job, waits until each one ended (or the run stalls), and collects every process's measurements. */
export async function runJobLoad(context: JobLoadContext): Promise<JobLoadResult> {
  const { options, workers, book, store, log } = context;
  const progress = setInterval(() => {
    const perProcess = [...book.statuses.entries()]
      .sort(([left], [right]) => left - right)
      .map(([index, status]) => `bot ${index}: ${status.polledTasks} polled, ${status.polls} polls, rss ${megabytes(status.rssBytes)} MB`);
    log(`  ${book.outcomes.size}/${options.jobs} ended; ${perProcess.join('; ')}`);
  }, 5000);
  try {
    const failure = Promise.race(workers.map((worker) => worker.failed));
    const runStartedAt = performance.now();
    const machineBefore = readMachineCpu();
    const serverCpuBefore = context.databaseServerCpuMs();
    for (const worker of workers) worker.send({ type: 'start', indices: share(options.jobs, workers.length, worker.index) });
    const started = await Promise.race([Promise.all(workers.map((worker) => worker.next('started'))), failure]);
    const startCallsMs = Math.max(...started.map((report) => report.startCallsMs));
    log(`  ${options.jobs} jobs started in ${Math.round(startCallsMs)} ms`);
    // Generous: a job stuck unclaimed or unfinished shows up as "never_settled" instead of hanging the run.
    const stallMs = 60_000 + 2 * options.latencyMs;
    const allEnded = await Promise.race([book.whenEnded(options.jobs, stallMs), failure]);
    const runWallMs = performance.now() - runStartedAt;
    const machineAfter = readMachineCpu();
    const serverCpuAfter = context.databaseServerCpuMs();
    const databaseServerCpuMs = serverCpuBefore === undefined || serverCpuAfter === undefined ? undefined : serverCpuAfter - serverCpuBefore;
    if (!allEnded) log(`  gave up: no job ended for ${stallMs / 1000} s; ${options.jobs - book.outcomes.size} never ended`);

    for (const worker of workers) worker.send({ type: 'finish' });
    const results = await Promise.race([Promise.all(workers.map((worker) => worker.next('result'))), failure]);
    const measurements = results.map(({ result }, position) => ({ ...result, index: workers[position]?.index ?? position }));
    const samples = await joinSamples(measurements, book, store);
    return {
      samples,
      workers: measurements,
      allEnded,
      machineCpu: { before: machineBefore, after: machineAfter },
      runWallMs,
      startCallsMs,
      databaseServerCpuMs,
    };
  } finally {
    clearInterval(progress);
  }
}

/** Puts each job's creator, claimers, end reports and stored times side by side. */
async function joinSamples(measurements: readonly WorkerMeasurement[], book: OutcomeBook, store: BotStore): Promise<JobSample[]> {
  const claimers = new Map<string, number[]>();
  for (const measurement of measurements) {
    for (const jobId of measurement.claimedJobIds) claimers.set(jobId, [...(claimers.get(jobId) ?? []), measurement.index]);
  }
  const starts = measurements.flatMap((measurement) => measurement.starts.map((start) => ({ ...start, createdBy: measurement.index })));
  starts.sort((left, right) => left.index - right.index);
  return Promise.all(starts.map(async ({ jobId, startCalledAt, startReturnedAt, createdBy }): Promise<JobSample> => {
    const job = await store.get(jobId);
    const reported = book.outcomes.get(jobId) ?? [];
    return {
      jobId,
      startCalledAt,
      startReturnedAt,
      taskId: job?.taskId ?? null,
      succeededAt: job?.finishedAt ?? null,
      outcome: reported[0]?.outcome,
      createdBy,
      claimedBy: claimers.get(jobId) ?? [],
      endedBy: reported.map((entry) => entry.workerIndex),
    };
  }));
}
