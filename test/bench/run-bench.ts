// `npm run bench`: N concurrent jobs against a fake Xenodia in a child process, then the ledger rate; one JSON object on stdout.
import { availableParallelism, cpus, loadavg } from 'node:os';
import { buildReport } from './bench-report.ts';
import { parseBenchOptions } from './bench-options.ts';
import { startFakeProviderChild } from './fake-provider-child.ts';
import { runJobLoad } from './job-load.ts';
import { measureLedgerThroughput } from './ledger-throughput.ts';

/** Progress and notes go to stderr so stdout holds exactly one JSON object. */
function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2));
  const startedAt = performance.now();
  // Other work on the machine skews every figure; the load average at the start says how much there was.
  const loadAverageAtStart = loadavg().map((value) => Math.round(value * 100) / 100);
  const latency = `latency ${options.latencyMs} ms ±${Math.round(options.jitter * 100)} %`;
  log(`bench: ${options.jobs} jobs, ${latency}, ${options.result} result, POLL_CONCURRENCY=${options.pollConcurrency}`);
  const fake = await startFakeProviderChild({ latencyMs: options.latencyMs, jitter: options.jitter, result: options.result });
  let report: Record<string, unknown>;
  try {
    log(`bench: fake Xenodia in child process ${fake.pid} at ${fake.baseUrl}, result image ${fake.resultBytes} bytes`);
    const load = await runJobLoad(options, fake, log);
    const { tasks, cpuMs: fakeCpuMs } = await fake.taskTimings();
    await fake.close();
    log(`bench: jobs done in ${Math.round(load.runWallMs)} ms; measuring the ledger for ${options.ledgerSeconds} s`);
    const ledger = await measureLedgerThroughput(options.ledgerSeconds * 1000);
    report = buildReport({
      settings: {
        jobs: options.jobs,
        latencyMs: options.latencyMs,
        jitter: options.jitter,
        resultImage: options.result,
        resultImageBytes: fake.resultBytes,
        resolution: '1K',
        environment: load.environment,
        requesters: `${options.jobs} distinct (cli:bench-<n>), one job each`,
        provider: 'xenodia: the real client (its default undici agent) against the fake Xenodia in a child process over loopback HTTP',
        delivery: 'platform cli recorder: notes the delivery time, drops the bytes',
        pollingPacing: 'defaults (src/core/poll-schedule.ts); the fake recommends a 1000 ms poll interval and an ETA',
        ledgerSeconds: options.ledgerSeconds,
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
    await fake.close();
  }
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

main().catch((error: unknown) => {
  log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
