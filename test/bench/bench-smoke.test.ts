// Proves `npm run bench` still runs end to end: a small single run, and a tiny matrix (SQLite, PostgreSQL, 3 processes on PostgreSQL) whose reports parse and whose jobs all complete.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, dropTestDatabase } from '../support/postgres-server.ts';

const run = promisify(execFile);
const entry = fileURLToPath(new URL('./run-bench.ts', import.meta.url));
/** Small and quick: a few jobs, a short task, a tiny image, a short ledger run over few requesters. */
const tinyRun = ['--jobs', '20', '--latency-ms', '1500', '--result', 'small', '--ledger-seconds', '0.2', '--ledger-requesters', '50'];

function bench(args: string[]) {
  return run(process.execPath, ['--import', 'tsx', entry, ...args], { timeout: 120_000, maxBuffer: 10_000_000 });
}

interface SmokeReport {
  settings: { database: string; processes: number };
  jobs: { started: number; completed: number; failed: number; endedByTwoProcesses: number; neverClaimed: number };
  claims: { jobsClaimed: number; passes: number; failedPasses: number };
  processes: Array<{ jobsCreated: number; peakRssMb: number }>;
  ledgerPairsPerSecond: number;
}

describe('benchmark smoke run', () => {
  const folder = mkdtempSync(join(tmpdir(), 'nano-imagine-bench-smoke-'));
  let databaseUrl: string | undefined;
  afterAll(async () => {
    rmSync(folder, { recursive: true, force: true });
    if (databaseUrl) await dropTestDatabase(inject('postgresUrl'), databaseUrl);
  });

  it('prints one JSON object in which every job completed (no timing assertions: figures depend on the machine)', async () => {
    const { stdout } = await bench(tinyRun);
    const report = JSON.parse(stdout) as SmokeReport;
    expect(report.settings).toMatchObject({ database: 'sqlite', processes: 1 });
    expect(report.jobs).toMatchObject({ started: 20, completed: 20, failed: 0 });
    expect(report.claims).toMatchObject({ jobsClaimed: 20, failedPasses: 0 });
    expect(report.ledgerPairsPerSecond).toBeGreaterThan(0);
  }, 150_000);

  it('runs the matrix on PostgreSQL with several processes: one table, every job delivered exactly once, every process started jobs', async () => {
    databaseUrl = await createTestDatabase(inject('postgresUrl'));
    const reportFile = join(folder, 'matrix.json');
    const { stdout } = await bench([...tinyRun, '--matrix', '--database-url', databaseUrl, '--report-file', reportFile]);
    const rows = stdout.trim().split('\n');
    // Header, separator and the three configurations.
    expect(rows).toHaveLength(5);
    expect(rows.slice(2).map((row) => row.split('|')[1]?.trim())).toEqual(['1 process, SQLite', '1 process, PostgreSQL', '3 processes, PostgreSQL']);

    const reports = JSON.parse(readFileSync(reportFile, 'utf8')) as SmokeReport[];
    expect(reports.map((report) => [report.settings.database, report.settings.processes])).toEqual([['sqlite', 1], ['postgres', 1], ['postgres', 3]]);
    for (const report of reports) {
      expect(report.jobs).toMatchObject({ started: 20, completed: 20, failed: 0, endedByTwoProcesses: 0, neverClaimed: 0 });
      expect(report.claims.failedPasses).toBe(0);
      expect(report.processes).toHaveLength(report.settings.processes);
      // Jobs are dealt round-robin, so each process created its share through its own runner.
      for (const process of report.processes) expect(process.jobsCreated).toBeGreaterThan(0);
      expect(report.ledgerPairsPerSecond).toBeGreaterThan(0);
    }
  }, 150_000);
});
