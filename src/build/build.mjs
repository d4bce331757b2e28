// `npm run build`: compiles src/ and commands/ to plain JavaScript in dist/ (tsconfig.build.json), and the freshness check behind `npm start`.
// Plain JavaScript on purpose: it runs before any build exists and without tsx (type-checked through checkJs).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root: this file is src/build/build.mjs. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Written into the output folder after a successful compile: which sources it was built from. */
const stampFile = '.build-stamp.json';
/** What the compiler reads: the TypeScript under these folders and the two configurations. */
const sourceFolders = ['src', 'commands'];
const configFiles = ['tsconfig.json', 'tsconfig.build.json'];
/** A lock older than this belongs to a build that cannot still be running. */
const staleLockMs = 10 * 60 * 1000;

/**
 * @param {string} folder
 * @returns {string[]} files under `folder`, recursively
 */
function filesUnder(folder) {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return entry.isFile() ? [path] : [];
  });
}

/**
 * A digest of every input of the build (paths and bytes), or undefined when the sources are not
 * here (a production copy that ships only dist/).
 * @param {string} root
 * @returns {string | undefined}
 */
export function sourceDigest(root) {
  if (!existsSync(join(root, 'tsconfig.build.json'))) return undefined;
  const inputs = [
    ...sourceFolders.flatMap((folder) => filesUnder(join(root, folder)).filter((file) => /\.[cm]?ts$/.test(file))),
    ...configFiles.map((file) => join(root, file)).filter((file) => existsSync(file)),
  ]
    .map((file) => relative(root, file).split(sep).join('/'))
    .sort();
  const hash = createHash('sha256');
  for (const file of inputs) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/**
 * @param {string} outDir
 * @returns {string | undefined} the digest the output was built from
 */
function builtFrom(outDir) {
  try {
    const stamp = JSON.parse(readFileSync(join(outDir, stampFile), 'utf8'));
    return typeof stamp.sources === 'string' ? stamp.sources : undefined;
  } catch {
    return undefined;
  }
}

/**
 * 'fresh': built from exactly these sources; 'stale': built from others (or half-written);
 * 'missing': no output; 'prebuilt': output but no sources to compare with.
 * @param {string} root
 * @param {string} outDir
 * @returns {'fresh' | 'stale' | 'missing' | 'prebuilt'}
 */
export function buildState(root, outDir) {
  if (!existsSync(outDir)) return 'missing';
  const digest = sourceDigest(root);
  if (digest === undefined) return 'prebuilt';
  return builtFrom(outDir) === digest ? 'fresh' : 'stale';
}

/**
 * The TypeScript compiler's entry script, or undefined when dev dependencies are not installed.
 * @param {string} root
 * @returns {string | undefined}
 */
export function typescriptCompiler(root) {
  try {
    return createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    return undefined;
  }
}

/**
 * Compiles into a staging folder next to `outDir` and swaps it in, so a process already running
 * from `outDir` never sees a half-written tree. The compiler's messages go to stderr (stdout stays
 * the CLI's). Throws when TypeScript is missing or the sources do not compile.
 * @param {{ root: string, outDir: string }} options
 * @returns {{ seconds: number }}
 */
export function build({ root, outDir }) {
  const compiler = typescriptCompiler(root);
  if (compiler === undefined) {
    throw new Error('TypeScript is not installed (dev dependencies were omitted): run `npm install` (or `npm ci`) with dev dependencies, then `npm run build`.');
  }
  const startedAt = Date.now();
  const sources = sourceDigest(root);
  const staging = `${outDir}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const compiled = spawnSync(process.execPath, [compiler, '-p', join(root, 'tsconfig.build.json'), '--outDir', staging], {
    cwd: root,
    stdio: ['ignore', 2, 2],
  });
  if (compiled.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`the TypeScript build failed (tsc exited with ${compiled.status ?? compiled.signal}); nothing was changed in ${relative(root, outDir) || outDir}.`);
  }
  writeFileSync(join(staging, stampFile), `${JSON.stringify({ sources, builtAt: new Date(startedAt).toISOString() })}\n`);
  const previous = `${outDir}.old-${process.pid}`;
  if (existsSync(outDir)) renameSync(outDir, previous);
  renameSync(staging, outDir);
  rmSync(previous, { recursive: true, force: true });
  return { seconds: (Date.now() - startedAt) / 1000 };
}

/**
 * @param {string} lock
 * @returns {boolean} true when this process now holds the lock
 */
function tryLock(lock) {
  try {
    mkdirSync(lock);
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EEXIST') throw error;
    if (!lockIsStale(lock)) return false;
    rmSync(lock, { recursive: true, force: true });
    return tryLock(lock);
  }
  writeFileSync(join(lock, 'pid'), String(process.pid));
  return true;
}

/**
 * @param {string} lock
 * @returns {boolean}
 */
function lockIsStale(lock) {
  try {
    if (Date.now() - statSync(lock).mtimeMs > staleLockMs) return true;
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // ESRCH: the holder is gone. ENOENT: the holder has not written its pid yet, or just finished.
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'ESRCH';
  }
}

/**
 * Makes sure `outDir` holds a build of the current sources, compiling when it is missing or was
 * built from other sources. Several processes starting at once compile once (a lock folder next to
 * `outDir`); the others wait for it. Without TypeScript (production dependencies only) an existing
 * build is used as it is, with a warning when the sources have changed since.
 * @param {{ root: string, outDir: string, say?: (line: string) => void }} options
 * @returns {Promise<void>}
 */
export async function ensureBuilt({ root, outDir, say = (line) => process.stderr.write(`${line}\n`) }) {
  const shown = relative(root, outDir) || outDir;
  const lock = `${outDir}.lock`;
  for (;;) {
    const state = buildState(root, outDir);
    if (state === 'fresh' || state === 'prebuilt') return;
    if (typescriptCompiler(root) === undefined) {
      if (state === 'stale') {
        say(`nano-imagine: ${shown}/ was built from other sources and TypeScript is not installed to rebuild it; running it as it is.`);
        return;
      }
      throw new Error(`there is no build in ${shown}/ and TypeScript is not installed (dev dependencies were omitted). Build where dev dependencies are installed (\`npm ci && npm run build\`), then \`npm prune --omit=dev\`, or copy dist/ over.`);
    }
    if (tryLock(lock)) {
      try {
        // Another process may have finished a build between the check and the lock.
        const again = buildState(root, outDir);
        if (again === 'fresh') return;
        say(`nano-imagine: compiling to ${shown}/ (${again === 'missing' ? 'no build yet' : 'the sources changed since the last build'})…`);
        const { seconds } = build({ root, outDir });
        say(`nano-imagine: compiled in ${seconds.toFixed(1)} s.`);
        return;
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
}

/** `node src/build/build.mjs [--outDir DIR]`: a clean build into dist/ (or DIR). */
function runFromCommandLine() {
  const args = process.argv.slice(2);
  // npm runs scripts in the project root; INIT_CWD is where `npm run build` was typed.
  const invokedFrom = process.env['INIT_CWD'] ?? process.cwd();
  let outDir = join(projectRoot, 'dist');
  for (let index = 0; index < args.length; index += 1) {
    const arg = /** @type {string} */ (args[index]);
    if (arg === '--outDir' || arg === '--out-dir') {
      const value = args[index + 1];
      if (value === undefined) throw new Error(`${arg} needs a folder`);
      outDir = resolve(invokedFrom, value);
      index += 1;
    } else if (arg.startsWith('--outDir=') || arg.startsWith('--out-dir=')) {
      outDir = resolve(invokedFrom, arg.slice(arg.indexOf('=') + 1));
    } else {
      throw new Error(`unknown argument ${arg} (usage: npm run build [-- --outDir DIR])`);
    }
  }
  const { seconds } = build({ root: projectRoot, outDir });
  process.stderr.write(`nano-imagine: compiled src/ and commands/ to ${relative(invokedFrom, outDir) || outDir}/ in ${seconds.toFixed(1)} s.\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    runFromCommandLine();
  } catch (error) {
    process.stderr.write(`nano-imagine: ${/** @type {Error} */ (error).message}\n`);
    process.exitCode = 1;
  }
}
