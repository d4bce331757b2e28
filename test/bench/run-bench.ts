// `npm run bench`: N concurrent jobs through bot processes on SQLite or PostgreSQL, then the ledger rate; one JSON object (or, with --matrix, one table) on stdout.
import { openBenchDatabases } from './bench-databases.ts';
import { parseBenchOptions } from './bench-options.ts';
import { runMatrix } from './bench-matrix.ts';
import { runBenchConfiguration } from './bench-run.ts';

/** Progress and notes go to stderr so stdout holds exactly the result. */
function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2));
  if (options.matrix) {
    const { table } = await runMatrix(options, log);
    process.stdout.write(table);
    return;
  }
  const databases = await openBenchDatabases(options.database, options.databaseUrl);
  try {
    const report = await runBenchConfiguration(options, databases, log);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await databases.close();
  }
}

main().catch((error: unknown) => {
  log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
