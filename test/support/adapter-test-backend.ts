// What the adapters' end-to-end tests run their bot against: a fake Xenodia as the provider and a folder of their own for the SQLite file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeXenodia, type FakeXenodia, type FakeXenodiaOptions } from '../fakes/providers/index.ts';

/** How the backend is started. */
export interface AdapterTestBackendOptions {
  /** Overrides of the fake provider's options (default 300 ms tasks, polls every 100 ms). */
  xenodia?: FakeXenodiaOptions;
  /** Extra runner environment (QUOTA_DAILY_CREDITS, JOB_DEADLINE_SECONDS, ...), applied last. */
  environment?: Record<string, string>;
}

/** The provider, environment and database a test's runners share. */
export interface AdapterTestBackend {
  /** The fake provider every job goes to. */
  xenodia: FakeXenodia;
  /** The runner environment: Xenodia as the provider with 20 daily credits, then the test's own variables. */
  environment: Record<string, string>;
  /** The SQLite file, in the backend's own folder, so a restart can close the database without deleting it. */
  databasePath: string;
  /** Closes the fake provider and deletes the folder (close the runners first). */
  close(): Promise<void>;
}

/** Starts the fake provider and makes the folder; `platform` only names the folder. */
export async function startAdapterTestBackend(platform: string, options: AdapterTestBackendOptions = {}): Promise<AdapterTestBackend> {
  const xenodia = await startFakeXenodia({ latencyMs: 300, recommendedPollIntervalMs: 100, ...options.xenodia });
  const directory = mkdtempSync(join(tmpdir(), `nano-imagine-${platform}-`));
  return {
    xenodia,
    environment: {
      PROVIDER: 'xenodia',
      XENODIA_API_KEY: xenodia.apiKey,
      XENODIA_BASE_URL: xenodia.baseUrl,
      QUOTA_DAILY_CREDITS: '20',
      ...options.environment,
    },
    databasePath: join(directory, 'bot.db'),
    async close() {
      await xenodia.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
