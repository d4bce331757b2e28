// `npm run bench -- --matrix`: the issue's three configurations one after another (1 process on SQLite, 1 and 3 on PostgreSQL), one table.
import { writeFileSync } from 'node:fs';
import { openBenchDatabases, type BenchDatabases } from './bench-databases.ts';
import type { BenchDatabase, BenchOptions } from './bench-options.ts';
import type { BenchReport } from './bench-report.ts';
import { runBenchConfiguration } from './bench-run.ts';
import { matrixTable } from './matrix-table.ts';

/** One row of the matrix. */
export interface MatrixConfiguration {
  database: BenchDatabase;
  processes: number;
}

/** The issue's rows, in the order the table shows them. */
export const issueMatrix: readonly MatrixConfiguration[] = [
  { database: 'sqlite', processes: 1 },
  { database: 'postgres', processes: 1 },
  { database: 'postgres', processes: 3 },
];

/**
 * Runs each configuration once with the rest of `options`, one at a time (they would skew each
 * other's figures on a shared machine), and returns the reports and their table. One PostgreSQL
 * server serves every PostgreSQL row, each on a fresh database.
 */
export async function runMatrix(
  options: BenchOptions,
  log: (line: string) => void,
  configurations: readonly MatrixConfiguration[] = issueMatrix,
): Promise<{ reports: BenchReport[]; table: string }> {
  const opened = new Map<BenchDatabase, BenchDatabases>();
  const reports: BenchReport[] = [];
  try {
    for (const configuration of configurations) {
      let databases = opened.get(configuration.database);
      if (databases === undefined) {
        databases = await openBenchDatabases(configuration.database, options.databaseUrl);
        opened.set(configuration.database, databases);
      }
      reports.push(await runBenchConfiguration({ ...options, ...configuration }, databases, log));
    }
  } finally {
    await Promise.allSettled([...opened.values()].map((databases) => databases.close()));
  }
  const table = matrixTable(reports);
  if (options.reportFile !== undefined) writeFileSync(options.reportFile, `${JSON.stringify(reports, null, 2)}\n`);
  return { reports, table };
}
