// Replays one Dockerfile stage here: a folder stands for the image's `/`, RUNs run as an unprivileged user, unknown RUNs fail.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { copyArguments, envPairs, execForm, healthcheckArguments, type Stage } from './dockerfile.ts';
import type { UnprivilegedUser } from './unprivileged-user.ts';

/** What a replay needs. */
export interface ReplayOptions {
  /** Folder standing for the stage's `/` (created). */
  root: string;
  /** The build context: its folder and the files `docker build` would send. */
  context: { root: string; files: readonly string[] };
  /** The `/` folders of the stages replayed before, by name (for `COPY --from`). */
  stages: ReadonlyMap<string, string>;
  user: UnprivilegedUser;
  /** Environment of RUN commands (PATH, npm's cache, node headers…). */
  runEnvironment: Record<string, string>;
  /** Longest wait for one RUN. */
  runTimeoutMs: number;
  /** Told every RUN with how long it took. */
  onRun?: (command: string, elapsedMs: number) => void;
}

/** The stage's state at its end, in this machine's paths. */
export interface ReplayedStage {
  /** The last WORKDIR, under `root`. */
  workdir: string;
  /** ENV values, with absolute paths moved under `root`. */
  env: Record<string, string>;
  /** USER, when one was set. */
  user: string | undefined;
  volumes: string[];
  cmd: string[] | undefined;
  healthcheck: string[] | undefined;
  /** RUN commands that were checked but not run here (system packages). */
  notRun: string[];
}

/** Commands the packages an `apt-get install` line names would provide, checked on this machine instead. */
const packageCommands: Record<string, string> = { python3: 'python3', make: 'make', 'g++': 'g++', 'build-essential': 'g++' };

function run(file: string, args: string[], cwd: string, env: Record<string, string>, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${args.join(' ')} failed (${error.message}):\n${`${stdout}\n${stderr}`.slice(-4000)}`));
      else resolve();
    });
  });
}

/** Replays `stage` into `options.root`. */
export async function replayStage(stage: Stage, options: ReplayOptions): Promise<ReplayedStage> {
  const { root } = options;
  mkdirSync(root, { recursive: true });
  chmodSync(root, 0o755);
  const state: ReplayedStage = { workdir: root, env: {}, user: undefined, volumes: [], cmd: undefined, healthcheck: undefined, notRun: [] };
  const inImage = (path: string) => (isAbsolute(path) ? join(root, path) : join(state.workdir, path));

  for (const { keyword, text } of stage.instructions) {
    if (keyword === 'WORKDIR') {
      state.workdir = inImage(text);
      mkdirSync(state.workdir, { recursive: true });
    } else if (keyword === 'ENV') {
      for (const [name, value] of Object.entries(envPairs(text))) state.env[name] = value.startsWith('/') ? join(root, value) : value;
    } else if (keyword === 'COPY') {
      copy(text, options, inImage);
    } else if (keyword === 'RUN') {
      await replayRun(text, options, state, inImage);
    } else if (keyword === 'USER') {
      state.user = text;
    } else if (keyword === 'VOLUME') {
      state.volumes.push(...(execForm(text) ?? text.split(/\s+/)));
    } else if (keyword === 'CMD') {
      state.cmd = execForm(text);
      if (!state.cmd) throw new Error(`CMD in shell form (${text}): a shell would stand between docker stop and node`);
    } else if (keyword === 'HEALTHCHECK') {
      state.healthcheck = healthcheckArguments(text).command;
    } else if (!['EXPOSE', 'LABEL', 'ARG'].includes(keyword)) {
      throw new Error(`the container test does not know ${keyword}; teach test/container/stage-replay.ts what it means`);
    }
  }
  return state;
}

/** COPY from the context, or `--from` an earlier stage; files end up owned by whoever runs the test, as by root in an image. */
function copy(text: string, options: ReplayOptions, inImage: (path: string) => string): void {
  const { from, sources, destination } = copyArguments(text);
  const intoFolder = destination.endsWith('/') || sources.length > 1;
  const target = inImage(destination);
  for (const source of sources) {
    if (from !== undefined) {
      const stageRoot = options.stages.get(from);
      if (stageRoot === undefined) throw new Error(`COPY --from=${from}: no such stage before this one`);
      const path = join(stageRoot, source);
      if (!existsSync(path)) throw new Error(`COPY --from=${from} ${source}: the ${from} stage has no such path`);
      const into = intoFolder && !statSync(path).isDirectory() ? join(target, source.split('/').pop() as string) : target;
      mkdirSync(dirname(into), { recursive: true });
      cpSync(path, into, { recursive: true, verbatimSymlinks: true });
      continue;
    }
    const pattern = new RegExp(`^${source.replace(/^\.\//, '').replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/.*)?$`);
    const matched = options.context.files.filter((file) => pattern.test(file));
    if (matched.length === 0) throw new Error(`COPY ${source}: nothing in the build context matches (see .dockerignore)`);
    for (const file of matched) {
      const under = pattern.exec(file)?.[1];
      const into = under !== undefined ? join(target, under) : intoFolder ? join(target, file.split('/').pop() as string) : target;
      mkdirSync(dirname(into), { recursive: true });
      cpSync(join(options.context.root, file), into);
    }
  }
}

/** Runs what a RUN does, or checks what it stands for; throws for a RUN the test does not know. */
async function replayRun(text: string, options: ReplayOptions, state: ReplayedStage, inImage: (path: string) => string): Promise<void> {
  const { user } = options;
  if (/^apt-get update\b/.test(text)) {
    const installed = /apt-get install -y --no-install-recommends ([^&]+)/.exec(text)?.[1]?.trim().split(/\s+/) ?? [];
    for (const name of installed) {
      const command = packageCommands[name];
      if (command === undefined) throw new Error(`apt-get installs ${name}: tell the container test which command shows it is here`);
      execFileSync('sh', ['-c', `command -v ${command}`]);
    }
    state.notRun.push(text);
    return;
  }
  const dataFolder = /^mkdir -p (\S+) && chown (\S+) (\S+)$/.exec(text);
  if (dataFolder && dataFolder[1] === dataFolder[3]) {
    const path = inImage(dataFolder[1] as string);
    mkdirSync(path, { recursive: true });
    user.own(path);
    return;
  }
  if (/^npm [a-z-]+(?: [^&|;<>`$]*)?$/.test(text)) {
    // The image builds as root; here the stage's files are given to the unprivileged user, who builds.
    user.own(state.workdir, { recursive: true });
    const startedAt = Date.now();
    const command = user.wrap(['sh', '-c', text]);
    // Lower priority: a minute of compiling must not starve the tests running beside this one.
    await run('nice', ['-n', '10', command.file, ...command.args], state.workdir, options.runEnvironment, options.runTimeoutMs);
    options.onRun?.(text, Date.now() - startedAt);
    return;
  }
  throw new Error(`the container test does not know what RUN ${text} does; teach test/container/stage-replay.ts (${relative(options.root, state.workdir)})`);
}
