// Runs the operators' ledger audit (`npm run admin -- audit`) as its own process against a test database.
import { spawnTypeScript } from './node-process.ts';
import type { TestDatabase } from './job-table.ts';

/** The audit's exit code (0: every balance matches its ledger) and what it printed. */
export interface AuditResult {
  code: number | null;
  output: string;
}

/** `src/cli/admin.ts audit` with DATABASE_URL or DATABASE_PATH pointing at `database`, from `cwd` (no .env there). */
export async function runLedgerAudit(database: TestDatabase, cwd: string): Promise<AuditResult> {
  const child = spawnTypeScript('src/cli/admin.ts', {
    cwd,
    args: ['audit'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...(database.kind === 'postgres' ? { DATABASE_URL: database.url } : { DATABASE_PATH: database.path }),
    },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  return { code, output };
}
