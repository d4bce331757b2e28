// One real bot (`src/main.ts`, or a compiled entry point) as a child process: waits until it claims work, learns its lease owner, kills, freezes, stops.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawnTypeScript } from './node-process.ts';

/** A running bot process. */
export interface BotProcess {
  /** The test's name for it (also its Slack API label and PostgreSQL application name in the multi-process tests). */
  readonly name: string;
  readonly child: ChildProcessWithoutNullStreams;
  readonly pid: number;
  /** The name this process writes on its leases (`lease_owner`), from its "claiming work" log line. */
  readonly owner: string;
  /** Resolves with the exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** Everything it logged so far (pino JSON lines on stderr). */
  logText(): string;
  /** `kill -9`, resolved once the process is gone. */
  kill(): Promise<void>;
  /** SIGSTOP: the process stops dead, timers and sockets included, until `thaw`. */
  freeze(): void;
  /** SIGCONT. */
  thaw(): void;
  /** SIGTERM (a clean stop: leases released), resolved with the exit code. */
  stop(): Promise<number | null>;
}

/** What to start. */
export interface BotProcessOptions {
  name: string;
  /**
   * The bot's configuration; PATH and HOME are added, and HEALTH_PORT=0 unless it is given (bots start in
   * parallel in a test run: the default 9090 would collide). LOG_LEVEL must let "info" lines through.
   */
  env: Record<string, string>;
  cwd: string;
  /** How long to wait for the "claiming work" line before killing it and failing (default 30 s). */
  readyTimeoutMs?: number;
  /**
   * Absolute path of a compiled entry point (`dist/src/main.js`) to run with plain `node`, as in
   * production, instead of `src/main.ts` through tsx's loader.
   */
  builtEntry?: string;
  /** Runs this command instead (a container's CMD, as another user through `setpriv`); it must exec the bot, not fork it. */
  command?: { file: string; args: string[] };
}

/** Starts the bot and resolves once its runner logs "claiming work" (every adapter connected, recovery done). */
export async function startBotProcess(options: BotProcessOptions): Promise<BotProcess> {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HEALTH_PORT: '0', ...options.env };
  const child = options.command !== undefined
    ? spawn(options.command.file, options.command.args, { cwd: options.cwd, env })
    : options.builtEntry === undefined
      ? spawnTypeScript('src/main.ts', { cwd: options.cwd, env })
      : spawn(process.execPath, [options.builtEntry], { cwd: options.cwd, env });
  let logs = '';
  let owner: string | undefined;
  let pending = '';
  child.stdout.on('data', () => {});
  child.stderr.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    logs += text;
    if (process.env.TEST_LOGS) process.stderr.write(text.replace(/^(?=.)/gm, `[${options.name}] `));
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) owner ??= ownerFrom(line);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  while (owner === undefined) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${options.name} exited before it was ready:\n${logs}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.name} did not start claiming work in time:\n${logs}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const pid = child.pid as number;
  const readyOwner = owner;
  return {
    name: options.name,
    child,
    pid,
    owner: readyOwner,
    exited,
    logText: () => logs,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    freeze: () => void child.kill('SIGSTOP'),
    thaw: () => void child.kill('SIGCONT'),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The `owner` of the runner's "claiming work" line, if `line` is that line. */
function ownerFrom(line: string): string | undefined {
  if (!line.includes('claiming work')) return undefined;
  try {
    const entry = JSON.parse(line) as { msg?: string; owner?: string };
    return entry.msg === 'claiming work' ? entry.owner : undefined;
  } catch {
    return undefined;
  }
}
