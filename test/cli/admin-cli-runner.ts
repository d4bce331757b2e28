// Runs the admin CLI as a real process from a given folder with only the given environment.
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';

const projectRoot = resolve(import.meta.dirname, '../..');
const tsx = join(projectRoot, 'node_modules/.bin/tsx');
const cliPath = join(projectRoot, 'src/cli/admin.ts');

/** What one CLI run printed and how it exited. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npm run admin -- <args>` from `cwd` (no `.env` there) with only `environment` (plus PATH and HOME). */
export function runAdmin(args: string[], environment: Record<string, string>, cwd: string): Promise<CliRun> {
  return new Promise((resolvePromise) => {
    execFile(
      tsx,
      [cliPath, ...args],
      { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...environment }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolvePromise({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}
