// Runs a command-line program to its end as a real process, with only the given environment, and collects what it printed and how it exited.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from './node-process.ts';

/** What one run printed and how it exited. */
export interface CliRun {
  /** The exit code (1 when the process could not be run or was killed). */
  code: number;
  /** Everything it wrote to stdout. */
  stdout: string;
  /** Everything it wrote to stderr. */
  stderr: string;
}

/** The tsx wrapper, as `npm run` in a development checkout would start a TypeScript entry point. */
const tsx = join(projectRoot, 'node_modules/.bin/tsx');

/**
 * Runs `file args…` from `cwd` with only `environment` plus PATH and HOME, so nothing leaks in from
 * the test's own environment (and no `.env` is found unless `cwd` has one). Killed after 60 s.
 */
export function runToEnd(file: string, args: readonly string[], environment: Record<string, string>, cwd: string): Promise<CliRun> {
  return new Promise((resolveRun) => {
    execFile(
      file,
      args,
      { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...environment }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolveRun({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

/** Runs the TypeScript entry point `script` (relative to the project root) through tsx; see `runToEnd`. */
export function runTypeScriptCli(script: string, args: readonly string[], environment: Record<string, string>, cwd: string): Promise<CliRun> {
  return runToEnd(tsx, [join(projectRoot, script), ...args], environment, cwd);
}
