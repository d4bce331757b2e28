// The ledger measurement across the bot processes: every process prepares its own requesters on one fresh database, then all run at once.
import type { BenchWorker } from './bench-worker-child.ts';
import type { LedgerThroughput } from './ledger-throughput.ts';

/**
 * Runs reserve+commit pairs in every process for `seconds` on the database in `environment` and
 * returns each process's figure. The start is a barrier (every process has opened its requesters'
 * days first), so the windows overlap and the rates may be summed.
 */
export async function measureLedgerAcross(
  workers: readonly BenchWorker[],
  environment: Record<string, string>,
  runId: string,
  seconds: number,
  callers: number,
  requestersPerProcess: number,
): Promise<LedgerThroughput[]> {
  const failure = Promise.race(workers.map((worker) => worker.failed));
  for (const worker of workers) {
    worker.send({ type: 'ledger-prepare', environment, keyPrefix: `ledger-${runId}-${worker.index}`, requesters: requestersPerProcess, callers });
  }
  await Promise.race([Promise.all(workers.map((worker) => worker.next('ledger-prepared'))), failure]);
  for (const worker of workers) worker.send({ type: 'ledger-run', durationMs: seconds * 1000 });
  const results = await Promise.race([Promise.all(workers.map((worker) => worker.next('ledger-result'))), failure]);
  return results.map((result) => result.ledger);
}
