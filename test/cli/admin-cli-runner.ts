// Runs the admin CLI as a real process from a given folder with only the given environment, and gives each test file its scratch folder and PostgreSQL database.
import { afterAll, beforeAll, inject } from 'vitest';
import { temporaryFolder } from '../store/store-fixtures.ts';
import { runTypeScriptCli, type CliRun } from '../support/cli-run.ts';
import { createTestDatabase, dropTestDatabase } from '../support/postgres-server.ts';

export type { CliRun };

/** Runs `npm run admin -- <args>` from `cwd` (no `.env` there) with only `environment` (plus PATH and HOME). */
export function runAdmin(args: string[], environment: Record<string, string>, cwd: string): Promise<CliRun> {
  return runTypeScriptCli('src/cli/admin.ts', args, environment, cwd);
}

/** Where a test file runs the admin CLI: a folder (no `.env`, room for SQLite files) and a fresh PostgreSQL database. */
export interface AdminScratch {
  /** The folder's path (valid once the file's tests run). */
  readonly folder: string;
  /** The database's URL (valid once the file's tests run). */
  readonly databaseUrl: string;
}

/** Makes the folder and the database before the file's tests and removes both after them. */
export function useAdminScratch(): AdminScratch {
  const serverUrl = inject('postgresUrl');
  let folder: ReturnType<typeof temporaryFolder> | undefined;
  let databaseUrl = '';
  beforeAll(async () => {
    folder = temporaryFolder();
    databaseUrl = await createTestDatabase(serverUrl);
  });
  afterAll(async () => {
    folder?.remove();
    await dropTestDatabase(serverUrl, databaseUrl);
  });
  return {
    get folder() {
      if (folder === undefined) throw new Error('the scratch folder exists only while the tests run');
      return folder.path;
    },
    get databaseUrl() {
      return databaseUrl;
    },
  };
}
