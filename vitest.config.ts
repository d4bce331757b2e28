// Test runner settings: node environment, generous timeouts for end-to-end tests over loopback.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // One PostgreSQL server for the whole run (tests reach it through inject('postgresUrl')).
    globalSetup: ['test/support/postgres-global-setup.ts'],
  },
});
