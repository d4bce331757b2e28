// Vitest global setup: one PostgreSQL server for the whole run, handed to tests as inject('postgresUrl').
import type { TestProject } from 'vitest/node';
import { startPostgresServer } from './postgres-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the run's PostgreSQL server; tests make their own database on it with createTestDatabase. */
    postgresUrl: string;
  }
}

/** The environment variable that also carries the server URL, for processes that tests spawn. */
export const postgresUrlVariable = 'NANO_TEST_POSTGRES_URL';

/** Starts the server before any test file runs; the returned teardown stops it after the last one. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgresServer();
  project.provide('postgresUrl', server.url);
  // Test workers are forked after global setup, so they inherit this; tests should still pass inject('postgresUrl') to children explicitly.
  process.env[postgresUrlVariable] = server.url;
  return async () => {
    await server.stop();
  };
}
