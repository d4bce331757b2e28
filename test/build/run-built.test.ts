// The launcher behind `npm start` / `npm run imagine`: builds only when dist/ is missing or was built from
// other sources, once for several processes starting together, and copes without TypeScript.
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const projectRoot = resolve(import.meta.dirname, '../..');
const startScript = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['start'] as string;

/** A tiny project with the real build scripts: src/hello.ts prints a greeting from src/greeting.ts. */
let project: string;

function write(path: string, text: string): void {
  mkdirSync(resolve(project, path, '..'), { recursive: true });
  writeFileSync(join(project, path), text);
}

function setGreeting(greeting: string): void {
  write('src/greeting.ts', `export const greeting: string = ${JSON.stringify(greeting)};\n`);
}

function linkTypeScript(): void {
  symlinkSync(join(projectRoot, 'node_modules', 'typescript'), join(project, 'node_modules', 'typescript'), 'dir');
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node src/build/run-built.mjs src/hello.js ...args` in the tiny project, as `npm start` runs it. */
function launch(...args: string[]): Promise<Run> {
  return new Promise((resolveRun) => {
    execFile(
      process.execPath,
      [join(project, 'src/build/run-built.mjs'), 'src/hello.js', ...args],
      { cwd: project, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }, timeout: 60_000 },
      (error, stdout, stderr) => resolveRun({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'nano-launcher-'));
  for (const script of ['build.mjs', 'run-built.mjs']) {
    mkdirSync(join(project, 'src/build'), { recursive: true });
    copyFileSync(join(projectRoot, 'src/build', script), join(project, 'src/build', script));
  }
  // The real `npm start` command, on a stand-in for the bot that stops on SIGTERM.
  expect(startScript).toContain('src/main.js');
  write('package.json', JSON.stringify({ name: 'tiny', private: true, type: 'module', scripts: { start: startScript.replace('src/main.js', 'src/server.js') } }));
  write('tsconfig.json', JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2023', 'DOM'], types: [],
      strict: true, skipLibCheck: true, allowImportingTsExtensions: true, noEmit: true,
    },
    include: ['src'],
  }));
  write('tsconfig.build.json', JSON.stringify({
    extends: './tsconfig.json',
    compilerOptions: { noEmit: false, rewriteRelativeImportExtensions: true, rootDir: '.', outDir: 'dist' },
    include: ['src'],
    exclude: ['src/build'],
  }));
  write('src/hello.ts', [
    "import { greeting } from './greeting.ts';",
    "const [name = 'nobody'] = process.argv.slice(2);",
    'console.log(`${greeting} ${name} from ${process.argv[1]}`);',
    "if (name === 'fail') process.exitCode = 3;",
    // No @types/node in the tiny project.
    'declare const process: { argv: string[]; exitCode?: number };',
    '',
  ].join('\n'));
  write('src/server.ts', [
    "console.log(`ready ${process.pid}`);",
    'const timer = setInterval(() => undefined, 1000);',
    "process.once('SIGTERM', () => { clearInterval(timer); console.log('stopped on SIGTERM'); });",
    'declare const process: { pid: number; once(signal: string, listener: () => void): void };',
    '',
  ].join('\n'));
  setGreeting('hello');
  mkdirSync(join(project, 'node_modules'));
  linkTypeScript();
});

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('run-built (npm start, npm run imagine, npm run admin)', () => {
  it('compiles when there is no build, then runs the entry in the same process with its arguments and exit code', async () => {
    const first = await launch('world');
    expect(first.stderr).toContain('compiling to dist/ (no build yet)');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`hello world from ${join(project, 'dist/src/hello.js')}\n`);
    const failing = await launch('fail');
    expect(failing.stderr).toBe('');
    expect(failing.code).toBe(3);
  }, 60_000);

  it('does not compile again while the sources are unchanged, and does when one changes', async () => {
    const unchanged = await launch('again');
    expect(unchanged.stderr).toBe('');
    expect(unchanged.stdout).toContain('hello again');
    setGreeting('howdy');
    const changed = await launch('again');
    expect(changed.stderr).toContain('the sources changed since the last build');
    expect(changed.stdout).toContain('howdy again');
  }, 60_000);

  it('keeps the previous build and exits 1 when the sources do not compile', async () => {
    write('src/greeting.ts', 'export const greeting: number = "not a number";\n');
    const broken = await launch('x');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('TS2322');
    expect(broken.stderr).toContain('nothing was changed in dist');
    expect(broken.stdout).toBe('');
    expect(existsSync(join(project, 'dist/src/hello.js'))).toBe(true);
    setGreeting('hello');
  }, 60_000);

  it('compiles once when several processes start together', async () => {
    rmSync(join(project, 'dist'), { recursive: true, force: true });
    const runs = await Promise.all([launch('one'), launch('two'), launch('three')]);
    expect(runs.map((run) => run.code)).toEqual([0, 0, 0]);
    expect(runs.map((run) => run.stdout.split(' from ')[0])).toEqual(['hello one', 'hello two', 'hello three']);
    expect(runs.filter((run) => run.stderr.includes('compiling')).length).toBe(1);
    expect(existsSync(join(project, 'dist.lock'))).toBe(false);
  }, 60_000);

  it('without TypeScript (production dependencies only) runs an existing build, and explains when there is none', async () => {
    unlinkSync(join(project, 'node_modules', 'typescript'));
    try {
      setGreeting('changed without a compiler');
      const stale = await launch('anyway');
      expect(stale.code).toBe(0);
      expect(stale.stderr).toContain('TypeScript is not installed to rebuild it; running it as it is');
      expect(stale.stdout).toContain('hello anyway');
      rmSync(join(project, 'dist'), { recursive: true, force: true });
      const none = await launch('nothing');
      expect(none.code).toBe(1);
      expect(none.stderr).toContain('npm ci && npm run build');
    } finally {
      linkTypeScript();
      setGreeting('hello');
    }
  }, 60_000);

  it('`npm start` hands SIGTERM to the bot itself: it stops cleanly and npm exits with its code', async () => {
    const npm = spawn('npm', ['start', '--silent'], { cwd: project, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } });
    let output = '';
    npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exit = new Promise<number | null>((resolveExit) => npm.once('exit', (code) => resolveExit(code)));
    const deadline = Date.now() + 30_000;
    while (!/ready \d+/.test(output)) {
      if (Date.now() > deadline || npm.exitCode !== null) throw new Error(`npm start did not start:\n${output}`);
      await new Promise((resolveWait) => setTimeout(resolveWait, 50));
    }
    const botPid = Number(/ready (\d+)/.exec(output)?.[1]);
    try {
      // What a supervisor does: signal the process it started (npm), not the whole group.
      npm.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect(output).toContain('stopped on SIGTERM');
      expect(() => process.kill(botPid, 0)).toThrow();
    } finally {
      try {
        process.kill(botPid, 'SIGKILL');
      } catch {
        // already gone, as it should be
      }
    }
  }, 60_000);

  it('runs a shipped build as it is when the sources are not there (a copy with dist/ only)', async () => {
    const built = await launch('build');
    expect(built.code).toBe(0);
    rmSync(join(project, 'tsconfig.build.json'));
    unlinkSync(join(project, 'node_modules', 'typescript'));
    const shipped = await launch('shipped');
    expect(shipped.stderr).toBe('');
    expect(shipped.stdout).toContain('hello shipped');
  }, 60_000);
});
