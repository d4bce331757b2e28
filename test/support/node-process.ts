// Starts TypeScript entry points as real Node.js processes: node itself with tsx's loader, so the child's pid is the bot's.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root (tests spawn processes from temp folders). */
export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** tsx's ESM loader by absolute URL, so it resolves whatever the child's working folder is. */
const tsxLoader = pathToFileURL(join(projectRoot, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/**
 * Spawns `node --import <tsx loader> <script>`. Unlike the `tsx` wrapper, which runs the script in a
 * second process, `kill('SIGKILL')` and `kill('SIGSTOP')` here reach the process doing the work.
 */
export function spawnTypeScript(
  script: string,
  options: { cwd?: string; env: Record<string, string | undefined>; args?: string[] },
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', tsxLoader, join(projectRoot, script), ...(options.args ?? [])], {
    cwd: options.cwd ?? projectRoot,
    env: options.env,
  });
}
