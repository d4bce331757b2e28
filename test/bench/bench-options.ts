// The benchmark's command-line flags, parsed with node:util parseArgs.
import { parseArgs } from 'node:util';

/** Which database the bot processes share. */
export type BenchDatabase = 'sqlite' | 'postgres';

/** What one benchmark run does. */
export interface BenchOptions {
  /** Jobs started at once (spread round-robin over the bot processes). */
  jobs: number;
  /** The fake's nominal task latency. */
  latencyMs: number;
  /** The fake's latency spread as a fraction (0.1 = ±10 %). */
  jitter: number;
  /** Result image the fake serves: ~2 MB noise PNG or a tiny one. */
  result: 'large' | 'small';
  /**
   * POLL_CONCURRENCY for the run (poll requests in flight per provider). The default is 32, not the
   * bot's 8: at the peak all 1,000 tasks are in their dense window, about 1,000 polls a second, and
   * by Little's law 8 slots keep up only while a poll takes under 8 ms, which it does not while the
   * results are downloading on two shared cores (p99 25-300 ms measured).
   */
  pollConcurrency: number;
  /** How long the ledger throughput is measured. */
  ledgerSeconds: number;
  /** The shared store: a fresh SQLite file, or PostgreSQL. */
  database: BenchDatabase;
  /** A PostgreSQL database to use as it is (implies `database: 'postgres'`); by default an embedded server is started. */
  databaseUrl: string | undefined;
  /** Bot processes, each a real job runner on the same database. */
  processes: number;
  /** Jobs one process holds at once (the runner's `maxHeldJobs`); undefined keeps the runner's default, as `npm start` does. */
  maxHeldJobs: number | undefined;
  /** Concurrent reserve+commit callers per process in the ledger measurement; undefined: 1 on SQLite, the pool size on PostgreSQL. */
  ledgerCallers: number | undefined;
  /** Requesters each process rotates over in the ledger measurement (their days are opened before the clock starts). */
  ledgerRequesters: number;
  /** Runs the three configurations (1 process on SQLite, 1 and 3 on PostgreSQL) and prints one table. */
  matrix: boolean;
  /** With `matrix`: where to write every run's full JSON report as well. */
  reportFile: string | undefined;
}

export const benchUsage = `Usage: npm run bench -- [--jobs N] [--latency-ms MS] [--jitter FRACTION] [--result large|small]
                          [--poll-concurrency N] [--ledger-seconds S] [--ledger-callers N] [--ledger-requesters N]
                          [--database sqlite|postgres] [--database-url postgres://…] [--processes N]
                          [--max-held-jobs N] [--matrix [--report-file PATH]]`;

function numberFlag(name: string, text: string | undefined, fallback: number, minimum: number, integer: boolean): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < minimum || (integer && !Number.isInteger(value))) {
    throw new Error(`--${name} must be ${integer ? 'a whole number' : 'a number'} of at least ${minimum}; got "${text}"\n${benchUsage}`);
  }
  return value;
}

function optionalWholeNumber(name: string, text: string | undefined): number | undefined {
  return text === undefined ? undefined : numberFlag(name, text, 0, 1, true);
}

/** Parses `argv` (without node and the script); throws with the usage on a bad flag. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      jobs: { type: 'string' },
      'latency-ms': { type: 'string' },
      jitter: { type: 'string' },
      result: { type: 'string' },
      'poll-concurrency': { type: 'string' },
      'ledger-seconds': { type: 'string' },
      'ledger-callers': { type: 'string' },
      'ledger-requesters': { type: 'string' },
      database: { type: 'string' },
      'database-url': { type: 'string' },
      processes: { type: 'string' },
      'max-held-jobs': { type: 'string' },
      matrix: { type: 'boolean' },
      'report-file': { type: 'string' },
    },
    strict: true,
  });
  const result = values.result ?? 'large';
  if (result !== 'large' && result !== 'small') throw new Error(`--result must be large or small; got "${result}"\n${benchUsage}`);
  const databaseUrl = values['database-url'];
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error(`--database-url must be a PostgreSQL URL like postgres://user@host:5432/database\n${benchUsage}`);
  }
  const database = values.database ?? (databaseUrl === undefined ? 'sqlite' : 'postgres');
  if (database !== 'sqlite' && database !== 'postgres') throw new Error(`--database must be sqlite or postgres; got "${database}"\n${benchUsage}`);
  if (database === 'sqlite' && databaseUrl !== undefined) throw new Error(`--database-url is a PostgreSQL database; drop --database sqlite\n${benchUsage}`);
  const matrix = values.matrix ?? false;
  // The matrix fixes the database and the process count per row; accepting them too would be ambiguous.
  if (matrix && (values.database !== undefined || values.processes !== undefined)) {
    throw new Error(`--matrix chooses the database and the processes itself; drop --database and --processes\n${benchUsage}`);
  }
  if (!matrix && values['report-file'] !== undefined) throw new Error(`--report-file goes with --matrix\n${benchUsage}`);
  return {
    jobs: numberFlag('jobs', values.jobs, 1000, 1, true),
    latencyMs: numberFlag('latency-ms', values['latency-ms'], 20_000, 0, true),
    jitter: numberFlag('jitter', values.jitter, 0.1, 0, false),
    result,
    pollConcurrency: numberFlag('poll-concurrency', values['poll-concurrency'], 32, 1, true),
    ledgerSeconds: numberFlag('ledger-seconds', values['ledger-seconds'], 3, 0.1, false),
    database,
    databaseUrl,
    processes: numberFlag('processes', values.processes, 1, 1, true),
    maxHeldJobs: optionalWholeNumber('max-held-jobs', values['max-held-jobs']),
    ledgerCallers: optionalWholeNumber('ledger-callers', values['ledger-callers']),
    ledgerRequesters: numberFlag('ledger-requesters', values['ledger-requesters'], 1000, 1, true),
    matrix,
    reportFile: values['report-file'],
  };
}
