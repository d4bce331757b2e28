// Runs N concurrent jobs through the real runner, SQLite file and Xenodia client against the fake, and records each job's timeline.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseConfig } from '../../src/config.ts';
import { createJobRunner } from '../../src/core/job-runner.ts';
import { createPollScheduler } from '../../src/core/poll-scheduler.ts';
import type { GenerationRequest } from '../../src/core/request.ts';
import { silentLogger } from '../../src/log.ts';
import { createProviders } from '../../src/providers/registry.ts';
import { openStore } from '../../src/store/index.ts';
import { createBenchDelivery, type DeliveryOutcome } from './bench-delivery.ts';
import type { BenchOptions } from './bench-options.ts';
import type { FakeProviderChild } from './fake-provider-child.ts';
import { readMachineCpu, type MachineCpuSnapshot } from './machine-cpu.ts';
import { startRssSampler, type RssPeaks } from './rss-sampler.ts';
import { timeProviderCalls, type ProviderCallTimes } from './timed-provider.ts';

/** One job's timeline as the bot side saw it. */
export interface JobSample {
  jobId: string;
  /** Just before `runner.start()` was called. */
  startCalledAt: number;
  /** The provider's task id (joins the fake's timings). */
  taskId: string | null;
  /** When the runner stored the task as succeeded, right after the poll that saw it (the store's `finishedAt`). */
  succeededAt: number | null;
  outcome: DeliveryOutcome | undefined;
}

/** Everything the job run measured. */
export interface JobLoadResult {
  samples: JobSample[];
  /** Poll requests the scheduler started (its `onPoll`). */
  schedulerPolls: number;
  rss: RssPeaks;
  /** RSS with the runner built and the fake connected, before the first job. */
  rssBeforeJobsBytes: number;
  /** How long each Xenodia submit and poll call took, as the client's caller saw it. */
  callTimes: ProviderCallTimes;
  /** How late this process's event loop ran timers during the run (ms): the CPU pressure on the bot side. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** CPU time this (the bot's) process used during the job run, user + system. */
  cpuMs: number;
  /** Machine-wide CPU counters at the start and end of the job run (undefined off Linux). */
  machineCpu: { before: MachineCpuSnapshot | undefined; after: MachineCpuSnapshot | undefined };
  /** From the first `start()` call until the runner was idle. */
  runWallMs: number;
  /** How long issuing every `start()` call took. */
  startCallsMs: number;
  /** The operator environment the run used (secrets and paths left out). */
  environment: Record<string, string>;
}

/** RSS is sampled this often. */
const rssIntervalMs = 100;

function requestFor(index: number): GenerationRequest {
  return {
    prompt: `benchmark image ${index}: a banana astronaut`,
    references: [],
    resolution: '1K',
    outputFormat: 'png',
    provider: 'xenodia',
    // A requester per job: per-user limits and daily credits are not what this run measures.
    requester: { platform: 'cli', userId: `bench-${index}` },
    origin: { platform: 'cli', channelId: 'bench' },
  };
}

/** Runs `options.jobs` jobs at once against `fake` and waits for every one to be delivered or failed. */
export async function runJobLoad(options: BenchOptions, fake: FakeProviderChild, log: (line: string) => void): Promise<JobLoadResult> {
  const directory = mkdtempSync(join(tmpdir(), 'nano-imagine-bench-'));
  const environment: Record<string, string> = {
    PROVIDER: 'xenodia',
    PROVIDER_MAX_IN_FLIGHT: String(options.jobs),
    POLL_CONCURRENCY: String(options.pollConcurrency),
    MAX_JOBS_PER_USER: '2',
    QUOTA_DAILY_CREDITS: '20',
    JOB_DEADLINE_SECONDS: '600',
  };
  const config = parseConfig({
    ...environment,
    XENODIA_API_KEY: fake.apiKey,
    XENODIA_BASE_URL: fake.baseUrl,
    DATABASE_PATH: join(directory, 'bench.db'),
  });
  const opened = await openStore(config);
  let schedulerPolls = 0;
  const scheduler = createPollScheduler({
    maxConcurrentPollsPerProvider: config.jobs.pollConcurrencyPerProvider,
    onPoll: () => {
      schedulerPolls += 1;
    },
  });
  const callTimes: ProviderCallTimes = { submitMs: [], pollMs: [], maxPollsInFlight: 0 };
  const providers = createProviders(config);
  const xenodia = providers.get('xenodia');
  if (xenodia === undefined) throw new Error('the Xenodia provider was not built from the benchmark configuration');
  providers.set('xenodia', timeProviderCalls(xenodia, callTimes));
  const runner = createJobRunner({ store: opened.store, providers, config, scheduler, logger: silentLogger });
  const delivery = createBenchDelivery();
  runner.registerDelivery(delivery);

  const starts: Array<{ jobId: string; startCalledAt: number }> = [];
  const rssBeforeJobsBytes = process.memoryUsage.rss();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  let everyJobStarted = false;
  const sampler = startRssSampler(rssIntervalMs, () => everyJobStarted && delivery.outcomes.size === 0);
  const progress = setInterval(() => {
    const rssMb = Math.round(process.memoryUsage.rss() / 1e6);
    log(`  ${delivery.outcomes.size}/${options.jobs} finished, ${scheduler.size} tasks polled, ${schedulerPolls} polls, rss ${rssMb} MB`);
  }, 5000);

  try {
    const runStartedAt = performance.now();
    const cpuAtStart = process.cpuUsage();
    const machineBefore = readMachineCpu();
    const pending: Array<Promise<void>> = [];
    for (let index = 0; index < options.jobs; index += 1) {
      const startCalledAt = Date.now();
      const started = runner.start(requestFor(index), { dedupeKey: `bench-${index}` });
      pending.push(started.then(({ jobId }) => void starts.push({ jobId, startCalledAt })));
      // Platform events arrive one per I/O callback, so each start() gets its own macrotask, as in the
      // bot; a tight loop would hold every job's submit until all N start() calls had run.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await Promise.all(pending);
    const startCallsMs = performance.now() - runStartedAt;
    everyJobStarted = true;
    log(`  ${options.jobs} jobs started in ${Math.round(startCallsMs)} ms`);
    await runner.whenIdle();
    const runWallMs = performance.now() - runStartedAt;
    const cpuUsed = process.cpuUsage(cpuAtStart);
    const machineCpu = { before: machineBefore, after: readMachineCpu() };
    const cpuMs = Math.round((cpuUsed.user + cpuUsed.system) / 1000);
    const rss = sampler.stop();
    loopDelay.disable();
    const nanosecondsToMs = (value: number) => Math.round(value / 1e5) / 10;
    const eventLoopDelayMs = {
      p50: nanosecondsToMs(loopDelay.percentile(50)),
      p99: nanosecondsToMs(loopDelay.percentile(99)),
      max: nanosecondsToMs(loopDelay.max),
    };

    const samples = await Promise.all(starts.map(async ({ jobId, startCalledAt }): Promise<JobSample> => {
      const job = await opened.store.get(jobId);
      const outcome = delivery.outcomes.get(jobId);
      return { jobId, startCalledAt, taskId: job?.taskId ?? null, succeededAt: job?.finishedAt ?? null, outcome };
    }));
    return { samples, schedulerPolls, rss, rssBeforeJobsBytes, callTimes, eventLoopDelayMs, cpuMs, machineCpu, runWallMs, startCallsMs, environment };
  } finally {
    clearInterval(progress);
    sampler.stop();
    loopDelay.disable();
    await runner.stop();
    await opened.close();
    rmSync(directory, { recursive: true, force: true });
  }
}
