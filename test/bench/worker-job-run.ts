// Inside one bot process: the real runner, store and Xenodia client as `npm start` builds them, instrumented for the benchmark.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseConfig } from '../../src/config.ts';
import { createJobRunner } from '../../src/core/job-runner.ts';
import { createPollScheduler } from '../../src/core/poll-scheduler.ts';
import type { GenerationRequest } from '../../src/core/request.ts';
import { silentLogger } from '../../src/log.ts';
import { createProviders } from '../../src/providers/registry.ts';
import { openStore } from '../../src/store/index.ts';
import { createBenchDelivery, type DeliveryOutcome } from './bench-delivery.ts';
import type { StartRecord, WorkerRunResult, WorkerSettings } from './bench-worker-messages.ts';
import { startPoolQueueSampler } from './pool-queue-sampler.ts';
import { startRssSampler } from './rss-sampler.ts';
import { recordClaimPasses, type ClaimRecorder } from './timed-claims.ts';
import { timeProviderCalls, type ProviderCallTimes } from './timed-provider.ts';

/** A bot process's runner, claiming work from the shared store from the moment it is opened. */
export interface WorkerJobRun {
  owner: string;
  /** Starts the jobs numbered `indices`, one `start()` per macrotask; resolves once every start returned. */
  startJobs(indices: readonly number[]): Promise<{ count: number; startCallsMs: number }>;
  /** Tasks being polled and polls sent so far (for progress lines). */
  status(): { polledTasks: number; polls: number };
  /** Ends the measurement and returns it; the runner keeps running until `stop`. */
  finish(): WorkerRunResult;
  /** Stops the runner (giving its leases back) and closes the store. */
  stop(): Promise<void>;
}

/** RSS is sampled this often. */
const rssIntervalMs = 100;

function requestFor(runId: string, index: number): GenerationRequest {
  return {
    prompt: `benchmark image ${index}: a banana astronaut`,
    references: [],
    resolution: '1K',
    outputFormat: 'png',
    provider: 'xenodia',
    // A requester per job: per-user limits and daily credits are not what this run measures.
    requester: { platform: 'cli', userId: `bench-${runId}-${index}` },
    origin: { platform: 'cli', channelId: 'bench' },
  };
}

/**
 * Opens the store, builds the runner and resumes it, as main.ts does (so it claims jobs any process
 * created, and takes over expired leases); `onOutcome` hears of every job this process ends.
 */
export async function openWorkerJobRun(settings: WorkerSettings, onOutcome: (jobId: string, outcome: DeliveryOutcome) => void): Promise<WorkerJobRun> {
  const config = parseConfig(settings.environment);
  const opened = await openStore(config);
  const recorder: ClaimRecorder = { passes: [], claimedJobIds: [], failedPasses: 0, firstFailure: undefined };
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
  const runner = createJobRunner({
    store: recordClaimPasses(opened.store, recorder),
    providers,
    config,
    scheduler,
    logger: silentLogger,
    ...(settings.maxHeldJobs === undefined ? {} : { maxHeldJobs: settings.maxHeldJobs }),
  });
  let outcomes = 0;
  const delivery = createBenchDelivery((jobId, outcome) => {
    outcomes += 1;
    onOutcome(jobId, outcome);
  });
  runner.registerDelivery(delivery);
  await runner.resume();

  const starts: StartRecord[] = [];
  let startCallsMs = 0;
  let everyJobStarted = false;
  const rssBeforeJobsBytes = process.memoryUsage.rss();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  // The "every job in flight" peak: this process has started its share and ended none yet.
  const sampler = startRssSampler(rssIntervalMs, () => everyJobStarted && outcomes === 0);
  const poolQueue = startPoolQueueSampler(opened.store, rssIntervalMs);
  let cpuAtStart = process.cpuUsage();

  return {
    owner: runner.owner,
    async startJobs(indices) {
      cpuAtStart = process.cpuUsage();
      const startedAt = performance.now();
      const pending: Array<Promise<void>> = [];
      for (const index of indices) {
        const startCalledAt = Date.now();
        const started = runner.start(requestFor(settings.runId, index), { dedupeKey: `bench-${settings.runId}-${index}` });
        pending.push(started.then(({ jobId }) => void starts.push({ index, jobId, startCalledAt, startReturnedAt: Date.now() })));
        // Platform events arrive one per I/O callback, so each start() gets its own macrotask, as in the
        // bot; a tight loop would hold every job's submit until all N start() calls had run.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await Promise.all(pending);
      startCallsMs = performance.now() - startedAt;
      everyJobStarted = true;
      return { count: indices.length, startCallsMs };
    },
    status: () => ({ polledTasks: scheduler.size, polls: schedulerPolls }),
    finish() {
      const cpuUsed = process.cpuUsage(cpuAtStart);
      const rss = sampler.stop();
      const poolQueueFigures = poolQueue.stop();
      loopDelay.disable();
      const nanosecondsToMs = (value: number) => Math.round(value / 1e5) / 10;
      return {
        pid: process.pid,
        owner: runner.owner,
        starts,
        startCallsMs,
        claimPasses: recorder.passes,
        claimedJobIds: recorder.claimedJobIds,
        failedClaimPasses: recorder.failedPasses,
        firstClaimFailure: recorder.firstFailure,
        poolQueue: poolQueueFigures,
        progressCalls: delivery.progressCalls,
        queuePlaceCalls: delivery.queuePlaceCalls,
        schedulerPolls,
        rss,
        rssBeforeJobsBytes,
        callTimes,
        eventLoopDelayMs: {
          p50: nanosecondsToMs(loopDelay.percentile(50)),
          p99: nanosecondsToMs(loopDelay.percentile(99)),
          max: nanosecondsToMs(loopDelay.max),
        },
        cpuMs: Math.round((cpuUsed.user + cpuUsed.system) / 1000),
      };
    },
    async stop() {
      sampler.stop();
      poolQueue.stop();
      loopDelay.disable();
      await runner.stop();
      await opened.close();
    },
  };
}
