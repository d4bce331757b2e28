// Bot-process entry: one real job runner on the shared database, driven by the benchmark over stdin and reporting over stdout.
import { createInterface } from 'node:readline';
import type { WorkerCommand, WorkerReport, WorkerSettings } from './bench-worker-messages.ts';
import { prepareLedgerBench, type LedgerBench } from './ledger-throughput.ts';
import { openWorkerJobRun, type WorkerJobRun } from './worker-job-run.ts';

/** How often a status line goes to the benchmark while jobs run. */
const statusIntervalMs = 5000;

function send(report: WorkerReport): void {
  // stdout carries nothing but these lines: the runner's logger is silent.
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2] ?? '') as WorkerSettings;
  const run: WorkerJobRun = await openWorkerJobRun(settings, (jobId, outcome) => send({ type: 'outcome', jobId, ...outcome }));
  let ledger: LedgerBench | undefined;
  const statusTimer = setInterval(() => {
    send({ type: 'status', ...run.status(), rssBytes: process.memoryUsage.rss() });
  }, statusIntervalMs);
  statusTimer.unref();

  const handle = async (command: WorkerCommand): Promise<void> => {
    switch (command.type) {
      case 'start':
        send({ type: 'started', ...(await run.startJobs(command.indices)) });
        return;
      case 'finish':
        clearInterval(statusTimer);
        send({ type: 'result', result: run.finish() });
        // Stopped before the ledger runs, so its claim timer and lease renewals do not share the measurement.
        await run.stop();
        return;
      case 'ledger-prepare':
        ledger = await prepareLedgerBench(command.environment, command.keyPrefix, command.requesters, command.callers);
        send({ type: 'ledger-prepared' });
        return;
      case 'ledger-run': {
        if (ledger === undefined) throw new Error('ledger-run before ledger-prepare');
        const measured = await ledger.run(command.durationMs);
        await ledger.close();
        send({ type: 'ledger-result', ledger: measured });
        return;
      }
      case 'exit':
        process.exit(0);
    }
  };

  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    handle(JSON.parse(line) as WorkerCommand).catch((error: unknown) => {
      send({ type: 'failed', message: describe(error) });
      process.exit(1);
    });
  });
  // The benchmark closes our stdin when it ends or dies: a bot process left behind would hold its jobs.
  lines.on('close', () => process.exit(0));
  send({ type: 'ready', pid: process.pid, owner: run.owner });
}

main().catch((error: unknown) => {
  send({ type: 'failed', message: describe(error) });
  process.exit(1);
});
