// The benchmark's handle on one bot process: spawn it (node with tsx's loader), send commands, await its reports.
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnTypeScript } from '../support/node-process.ts';
import type { WorkerCommand, WorkerReport, WorkerSettings } from './bench-worker-messages.ts';

/** Reports that arrive unasked while jobs run; every other report answers a command. */
export type StreamedReport = Extract<WorkerReport, { type: 'outcome' | 'status' }>;

type AnsweringType = Exclude<WorkerReport['type'], 'outcome' | 'status' | 'failed'>;

/** A running bot process. */
export interface BenchWorker {
  index: number;
  pid: number;
  /** Its name on leases. */
  owner: string;
  send(command: WorkerCommand): void;
  /** The next report of `type`; rejects if the process fails or exits first. */
  next<Type extends AnsweringType>(type: Type): Promise<Extract<WorkerReport, { type: Type }>>;
  /** Rejects once the process fails or exits (also when it exits after `close`, so only race it while the process is needed). */
  failed: Promise<never>;
  /** Asks it to exit and waits; kills it if it does not within a few seconds. */
  close(): Promise<void>;
}

const entry = 'test/bench/bench-worker-process.ts';

/** Spawns bot process `settings.workerIndex` and resolves once its runner is claiming; `onStream` gets its outcomes and status lines. */
export async function startBenchWorker(settings: WorkerSettings, onStream: (report: StreamedReport) => void): Promise<BenchWorker> {
  const child = spawnTypeScript(entry, { env: process.env, args: [JSON.stringify(settings)] });
  const label = `[bot ${settings.workerIndex}]`;
  // Its stderr joins ours, labelled: stdout is kept for the benchmark's own output.
  createInterface({ input: child.stderr }).on('line', (line) => process.stderr.write(`${label} ${line}\n`));

  const waiting = new Map<string, Array<{ resolve: (report: WorkerReport) => void; reject: (error: Error) => void }>>();
  const early = new Map<string, WorkerReport[]>();
  let ended: Error | undefined;
  let rejectFailed: (error: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => (rejectFailed = reject));
  // Nobody may be racing it when it rejects; that must not count as an unhandled rejection.
  failed.catch(() => {});
  const failAll = (error: Error) => {
    ended ??= error;
    rejectFailed(error);
    for (const waiters of waiting.values()) for (const waiter of waiters) waiter.reject(error);
    waiting.clear();
  };
  createInterface({ input: child.stdout }).on('line', (line) => {
    const report = JSON.parse(line) as WorkerReport;
    if (report.type === 'outcome' || report.type === 'status') return onStream(report);
    if (report.type === 'failed') return failAll(new Error(`${label} failed: ${report.message}`));
    const waiter = waiting.get(report.type)?.shift();
    if (waiter) waiter.resolve(report);
    else early.set(report.type, [...(early.get(report.type) ?? []), report]);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', (code, signal) => failAll(new Error(`${label} exited (code ${code}, signal ${signal})`)));
  child.once('error', (error) => failAll(new Error(`${label} could not run: ${error.message}`)));

  function next<Type extends AnsweringType>(type: Type): Promise<Extract<WorkerReport, { type: Type }>> {
    const already = early.get(type)?.shift();
    if (already) return Promise.resolve(already as Extract<WorkerReport, { type: Type }>);
    if (ended) return Promise.reject(ended);
    return new Promise((resolve, reject) => {
      const waiters = waiting.get(type) ?? [];
      waiters.push({ resolve: resolve as (report: WorkerReport) => void, reject });
      waiting.set(type, waiters);
    });
  }

  const send = (command: WorkerCommand) => {
    if (!child.stdin.destroyed) child.stdin.write(`${JSON.stringify(command)}\n`);
  };

  try {
    const ready = await next('ready');
    return {
      index: settings.workerIndex,
      pid: ready.pid,
      owner: ready.owner,
      send,
      next,
      failed,
      async close() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        send({ type: 'exit' });
        child.stdin.end();
        const exitedInTime = await Promise.race([exited.then(() => true), sleep(10_000, false, { ref: false })]);
        if (!exitedInTime) {
          child.kill('SIGKILL');
          await exited;
        }
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}
