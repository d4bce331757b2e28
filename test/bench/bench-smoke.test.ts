// Proves `npm run bench` still runs end to end: a small run as a real child process whose JSON parses and whose jobs all complete.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const entry = fileURLToPath(new URL('./run-bench.ts', import.meta.url));

describe('benchmark smoke run', () => {
  it('prints one JSON object in which every job completed (no timing assertions: figures depend on the machine)', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', entry, '--jobs', '20', '--latency-ms', '1500', '--result', 'small', '--ledger-seconds', '0.2'],
      { timeout: 60_000, maxBuffer: 10_000_000 },
    );
    const report = JSON.parse(stdout) as { jobs: { started: number; completed: number; failed: number }; ledgerPairsPerSecond: number };
    expect(report.jobs).toMatchObject({ started: 20, completed: 20, failed: 0 });
    expect(report.ledgerPairsPerSecond).toBeGreaterThan(0);
  }, 90_000);
});
