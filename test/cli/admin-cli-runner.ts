// Runs the admin CLI as a real process from a given folder with only the given environment.
import { runTypeScriptCli, type CliRun } from '../support/cli-run.ts';

export type { CliRun };

/** Runs `npm run admin -- <args>` from `cwd` (no `.env` there) with only `environment` (plus PATH and HOME). */
export function runAdmin(args: string[], environment: Record<string, string>, cwd: string): Promise<CliRun> {
  return runTypeScriptCli('src/cli/admin.ts', args, environment, cwd);
}
