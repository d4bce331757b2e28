// The run's PostgreSQL server: it answers queries, gives each test file its own database, never runs as root, and stops cleanly.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { postgresUrlVariable } from './postgres-global-setup.ts';
import { createTestDatabase, dropTestDatabase, startPostgresServer } from './postgres-server.ts';

const serverUrl = inject('postgresUrl');
const created: string[] = [];
afterAll(async () => {
  for (const url of created) await dropTestDatabase(serverUrl, url);
});

async function query<Row extends Record<string, unknown>>(url: string, sql: string): Promise<Row[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function testDatabase(): Promise<string> {
  const url = await createTestDatabase(serverUrl);
  created.push(url);
  return url;
}

/** The uid a process runs as, from /proc (Linux only). */
function processUid(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('Uid:'));
  return Number(line?.split(/\s+/)[1]);
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('the provided PostgreSQL server', () => {
  it('answers queries, with the settings meant for tests', async () => {
    expect(serverUrl).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    const [row] = await query<{ sum: number; version: string; fsync: string; connections: string }>(
      serverUrl,
      `SELECT 1 + 1 AS sum, current_setting('server_version') AS version, current_setting('fsync') AS fsync, current_setting('max_connections') AS connections`,
    );
    expect(row).toEqual({ sum: 2, version: expect.stringMatching(/^18\./), fsync: 'off', connections: '300' });
  });

  it('is also announced in the environment, for processes that tests spawn', () => {
    expect(process.env[postgresUrlVariable]).toBe(serverUrl);
  });

  it('gives each caller an isolated database', async () => {
    const [first, second] = await Promise.all([testDatabase(), testDatabase()]);
    expect(first).not.toBe(second);
    await query(first, 'CREATE TABLE jobs (id text PRIMARY KEY)');
    await query(first, `INSERT INTO jobs VALUES ('job-1')`);
    expect(await query(first, 'SELECT id FROM jobs')).toEqual([{ id: 'job-1' }]);
    expect(await query(second, `SELECT to_regclass('public.jobs') AS jobs`)).toEqual([{ jobs: null }]);
  });

  it('drops a test database even while a client is still connected to it', async () => {
    const url = await createTestDatabase(serverUrl);
    const lingering = new Client({ connectionString: url });
    lingering.on('error', () => {}); // the forced drop disconnects it
    await lingering.connect();
    await dropTestDatabase(serverUrl, url);
    const name = new URL(url).pathname.slice(1);
    expect(await query(serverUrl, `SELECT datname FROM pg_database WHERE datname = '${name}'`)).toEqual([]);
    await lingering.end().catch(() => {});
  });

  it('does not run as root', async () => {
    const [row] = await query<{ directory: string }>(serverUrl, `SELECT current_setting('data_directory') AS directory`);
    const ownUid = process.getuid?.();
    if (ownUid === undefined) return; // Windows: no uids to compare
    const expectedUid = ownUid === 0 ? Number(readFileSync('/etc/passwd', 'utf8').match(/^nobody:[^:]*:(\d+):/m)?.[1]) : ownUid;
    expect(statSync(row!.directory).uid).toBe(expectedUid);
    // The postmaster's pid is the first line of postmaster.pid in the data directory.
    const postmasterPid = Number(readFileSync(join(row!.directory, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (existsSync('/proc')) expect(processUid(postmasterPid)).toBe(expectedUid);
    expect(expectedUid).not.toBe(0);
  });
});

describe('startPostgresServer', () => {
  it('starts a server of its own, and stop() shuts it down and deletes its files, however often it is called', async () => {
    const server = await startPostgresServer();
    expect(server.url).not.toBe(serverUrl);
    expect(await query(server.url, 'SELECT 42 AS answer')).toEqual([{ answer: 42 }]);
    await Promise.all([server.stop(), server.stop()]);
    await server.stop();
    expect(existsSync(server.directory)).toBe(false);
    expect(await portAccepts(server.port)).toBe(false);
  });

  it('rejects a database name that would need quoting', async () => {
    await expect(createTestDatabase(serverUrl, 'x"; DROP DATABASE postgres; --')).rejects.toThrow(/Unsuitable test database name/);
  });
});
