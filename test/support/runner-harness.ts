// Builds the real job runner over a real SQLite file for end-to-end tests (providers from config or given).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type Config } from '../../src/config.ts';
import type { Clock } from '../../src/core/clock.ts';
import { createJobRunner, type JobRunner } from '../../src/core/job-runner.ts';
import type { ImageProvider } from '../../src/core/provider.ts';
import type { ProviderCooldowns } from '../../src/core/provider-cooldown.ts';
import type { ProviderId } from '../../src/core/request.ts';
import { createLogger, silentLogger, type Logger } from '../../src/log.ts';
import { createProviders } from '../../src/providers/registry.ts';
import { createQuotaPolicy } from '../../src/core/quota-policy.ts';
import { openSqliteStore, type SqliteStore } from '../../src/store/index.ts';

export interface TestRunnerOptions {
  /** Reuse a database file (a "restart"); default: a new temp file removed by `close()`. */
  databasePath?: string;
  /** Environment variables as an operator would set them (QUOTA_DAILY_CREDITS, MOCK_DELAY_MS, XENODIA_BASE_URL, ...). */
  environment?: Record<string, string>;
  /** Providers to use instead of those built from `environment`. */
  providers?: ReadonlyMap<ProviderId, ImageProvider>;
  /** Default 100 ms so tests see several progress updates quickly. */
  progressIntervalMs?: number;
  clock?: Clock;
  logger?: Logger;
  /** The runner's cool-downs (tests give them a clock of their own). */
  cooldowns?: ProviderCooldowns;
}

export interface TestRunner {
  runner: JobRunner;
  store: SqliteStore;
  config: Config;
  providers: ReadonlyMap<ProviderId, ImageProvider>;
  databasePath: string;
  /** Stops the runner and closes the database (the file stays when it was given). */
  close(): Promise<void>;
}

/** A runner exactly as `npm start` builds it, but with test-friendly defaults (fast mock, quiet logs). */
export function createTestRunner(options: TestRunnerOptions = {}): TestRunner {
  const ownDirectory = options.databasePath === undefined ? mkdtempSync(join(tmpdir(), 'nano-imagine-')) : undefined;
  const databasePath = options.databasePath ?? join(ownDirectory as string, 'bot.db');
  const config = parseConfig({ MOCK_DELAY_MS: '300', ...options.environment, DATABASE_PATH: databasePath });
  const store = openSqliteStore(databasePath, createQuotaPolicy(config.quota));
  const providers = options.providers ?? createProviders(config, options.clock === undefined ? {} : { clock: options.clock });
  const logger = options.logger ?? (process.env.TEST_LOGS ? createLogger({ level: 'debug' }) : silentLogger);
  const runner = createJobRunner({
    store,
    providers,
    config,
    logger,
    blockedTerms: config.blockedTerms,
    progressIntervalMs: options.progressIntervalMs ?? 100,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.cooldowns === undefined ? {} : { cooldowns: options.cooldowns }),
  });
  return {
    runner,
    store,
    config,
    providers,
    databasePath,
    async close() {
      await runner.stop();
      await store.close();
      if (ownDirectory) rmSync(ownDirectory, { recursive: true, force: true });
    },
  };
}
