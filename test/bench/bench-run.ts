// One benchmark configuration end to end: the fake, N bot processes on one fresh database, the job run, the ledger, the report.
import { randomBytes } from 'node:crypto';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseConfig } from '../../src/config.ts';
import { openStore } from '../../src/store/index.ts';
import { defaultPoolSize } from '../../src/store/postgres/postgres-connection.ts';
import type { BenchDatabases } from './bench-databases.ts';
import type { BenchOptions } from './bench-options.ts';
import { buildReport, type BenchReport } from './bench-report.ts';
import { startBenchWorker, type BenchWorker } from './bench-worker-child.ts';
import type { WorkerSettings } from './bench-worker-messages.ts';
import { startFakeProviderChild } from './fake-provider-child.ts';
import { runJobLoad } from './job-load.ts';
import { measureLedgerAcross } from './ledger-phase.ts';
import { createOutcomeBook, type OutcomeBook } from './outcome-book.ts';

/** What the runner holds when `maxHeldJobs` is not given (src/core/job-runner.ts). */
const runnerDefaultMaxHeldJobs = 500;

/** Starts `count` bot processes; if one fails to start, the others are stopped again. */
async function startWorkers(count: number, settingsFor: (index: number) => WorkerSettings, book: OutcomeBook): Promise<BenchWorker[]> {
  const attempts = await Promise.allSettled(Array.from({ length: count }, (_, index) => startBenchWorker(settingsFor(index), book.listenerFor(index))));
  const workers = attempts.flatMap((attempt) => (attempt.status === 'fulfilled' ? [attempt.value] : []));
  const failed = attempts.find((attempt): attempt is PromiseRejectedResult => attempt.status === 'rejected');
  if (failed) {
    await Promise.allSettled(workers.map((worker) => worker.close()));
    throw failed.reason;
  }
  return workers;
}

/** Runs `options` against `databases` (options.database and options.processes say which and how many) and returns the report. */
export async function runBenchConfiguration(options: BenchOptions, databases: BenchDatabases, log: (line: string) => void): Promise<BenchReport> {
  const startedAt = performance.now();
  // Other work on the machine skews every figure; the load average at the start says how much there was.
  const loadAverageAtStart = loadavg().map((value) => Math.round(value * 100) / 100);
  // PostgreSQL serves a process's concurrent jobs over its pool, so as many callers as connections; SQLite runs every call synchronously, so one.
  const ledgerCallers = options.ledgerCallers ?? (databases.kind === 'postgres' ? defaultPoolSize : 1);
  const runId = randomBytes(3).toString('hex');
  const latency = `latency ${options.latencyMs} ms ±${Math.round(options.jitter * 100)} %`;
  log(`bench ${runId}: ${options.jobs} jobs through ${options.processes} process(es) on ${databases.kind}, ${latency}, ${options.result} result, POLL_CONCURRENCY=${options.pollConcurrency}`);

  const environment: Record<string, string> = {
    PROVIDER: 'xenodia',
    PROVIDER_MAX_IN_FLIGHT: String(options.jobs),
    POLL_CONCURRENCY: String(options.pollConcurrency),
    MAX_JOBS_PER_USER: '2',
    QUOTA_DAILY_CREDITS: '20',
    JOB_DEADLINE_SECONDS: '600',
    // The copy kept for /show is written with each delivery; SHOW_IMAGE_MAX_MB=0 measures the bot without it.
    ...(process.env['SHOW_IMAGE_MAX_MB'] === undefined ? {} : { SHOW_IMAGE_MAX_MB: process.env['SHOW_IMAGE_MAX_MB'] }),
  };
  const fake = await startFakeProviderChild({ latencyMs: options.latencyMs, jitter: options.jitter, result: options.result });
  const workers: BenchWorker[] = [];
  let opened: Awaited<ReturnType<typeof openStore>> | undefined;
  try {
    log(`bench ${runId}: fake Xenodia in child process ${fake.pid} at ${fake.baseUrl}, result image ${fake.resultBytes} bytes`);
    const databaseEnvironment = await databases.fresh('jobs');
    // Migrated here once, before any bot process opens it; the benchmark also reads the jobs through it afterwards.
    opened = await openStore(parseConfig(databaseEnvironment));
    const book = createOutcomeBook();
    const settingsFor = (workerIndex: number) => ({
      workerIndex,
      runId,
      maxHeldJobs: options.maxHeldJobs,
      environment: { ...environment, ...databaseEnvironment, XENODIA_API_KEY: fake.apiKey, XENODIA_BASE_URL: fake.baseUrl },
    });
    workers.push(...(await startWorkers(options.processes, settingsFor, book)));
    log(`bench ${runId}: bot processes ${workers.map((worker) => worker.pid).join(', ')} claiming`);

    const load = await runJobLoad({ options, workers, book, store: opened.store, databaseServerCpuMs: () => databases.serverCpuMs(), log });
    const { tasks, cpuMs: fakeCpuMs } = await fake.taskTimings();
    await fake.close();
    log(`bench ${runId}: jobs done in ${Math.round(load.runWallMs)} ms; measuring the ledger for ${options.ledgerSeconds} s (${ledgerCallers} caller(s) per process)`);
    const ledger = await measureLedgerAcross(workers, await databases.fresh('ledger'), runId, options.ledgerSeconds, ledgerCallers, options.ledgerRequesters);

    return buildReport({
      settings: {
        jobs: options.jobs,
        latencyMs: options.latencyMs,
        jitter: options.jitter,
        resultImage: options.result,
        resultImageBytes: fake.resultBytes,
        resolution: '1K',
        database: databases.kind,
        databaseDetail: databases.description,
        processes: options.processes,
        maxHeldJobsPerProcess: options.maxHeldJobs ?? `${runnerDefaultMaxHeldJobs} (the runner's default, as npm start uses)`,
        environment,
        jobCreation: 'job n is started by process n mod processes through runner.start(), one start per macrotask per process; any process may claim any job',
        requesters: `${options.jobs} distinct (cli:bench-${runId}-<n>), one job each`,
        provider: 'xenodia: the real client (its default undici agent) in every bot process, against the fake Xenodia in its own child process over loopback HTTP',
        delivery: 'platform cli recorder in each bot process: notes the delivery time, drops the bytes, reports the outcome to the benchmark',
        pollingPacing: 'defaults (src/core/poll-schedule.ts); the fake recommends a 1000 ms poll interval and an ETA',
        ledgerSeconds: options.ledgerSeconds,
        ledgerCallersPerProcess: ledgerCallers,
        ledgerRequestersPerProcess: options.ledgerRequesters,
        machine: {
          cpus: availableParallelism(),
          cpuModel: cpus()[0]?.model ?? 'unknown',
          platform: `${process.platform}-${process.arch}`,
          loadAverageAtStart,
        },
      },
      load,
      tasks,
      fakeCpuMs,
      ledger,
      wallTimeMs: performance.now() - startedAt,
    });
  } finally {
    await Promise.allSettled(workers.map((worker) => worker.close()));
    await fake.close();
    await opened?.close();
  }
}
