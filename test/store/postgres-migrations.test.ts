// PostgreSQL only: migrations applied once when several processes start at once, a newer schema refused, the store chosen by config.
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createQuotaPolicy } from '../../src/core/quota-policy.ts';
import { postgresMigrations } from '../../src/store/postgres/postgres-migrations.ts';
import {
  latestPostgresSchemaVersion,
  migratePostgres,
  openPostgresStore,
  openStore,
  postgresSchemaVersion,
  type PostgresStore,
} from '../../src/store/index.ts';
import { createTestDatabase, dropTestDatabase } from '../support/postgres-server.ts';
import { at, defaultQuota, newJob } from './store-fixtures.ts';

const serverUrl = inject('postgresUrl');
const policy = createQuotaPolicy(defaultQuota);
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function freshDatabase(): Promise<string> {
  const url = await createTestDatabase(serverUrl);
  cleanups.push(() => dropTestDatabase(serverUrl, url));
  return url;
}

async function opened(store: Promise<PostgresStore>): Promise<PostgresStore> {
  const result = await store;
  cleanups.push(() => result.close());
  return result;
}

/** Runs `work` on a connection of its own (not a store's pool). */
async function withConnection<T>(url: string, work: (connection: pg.Client) => Promise<T>): Promise<T> {
  const connection = new pg.Client({ connectionString: url });
  await connection.connect();
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}

async function tableNames(url: string): Promise<string[]> {
  return withConnection(url, async (connection) =>
    (await connection.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"))
      .rows.map((row) => row.name));
}

describe('PostgreSQL migrations', () => {
  it('applies each migration once when four processes open a fresh database at the same moment', async () => {
    const url = await freshDatabase();
    const stores = await Promise.all([1, 2, 3, 4].map(() => opened(openPostgresStore(url, policy, { poolSize: 2 }))));
    const applied = await withConnection(url, async (connection) =>
      (await connection.query<{ version: number; description: string }>('SELECT version, description FROM schema_migrations ORDER BY version')).rows);
    expect(applied.map((row) => row.version)).toEqual(Array.from({ length: latestPostgresSchemaVersion }, (_, index) => index + 1));
    expect(await tableNames(url)).toEqual([
      'community_settings', 'community_settings_changes', 'event_keys', 'intakes', 'job_cancels', 'job_images', 'job_references', 'jobs',
      'moderation_events', 'provider_spend', 'quota_accounts', 'quota_ledger', 'schema_migrations',
    ]);
    // They all work on the one schema.
    const [first, second] = stores as [PostgresStore, PostgresStore];
    await first.createJob(newJob({ id: 'job-1', now: at('2026-11-21T12:00:00Z') }));
    expect((await second.get('job-1'))?.state).toBe('queued');
  });

  it('applies nothing when reopened, and keeps the data', async () => {
    const url = await freshDatabase();
    const first = await openPostgresStore(url, policy);
    await first.grant('discord:bob', 3, 'discord:admin', at('2026-11-21T10:00:00Z'));
    await first.close();
    const reopened = await opened(openPostgresStore(url, policy));
    expect(await migratePostgres(reopened.pool)).toBe(0);
    expect(await postgresSchemaVersion(reopened.pool)).toBe(latestPostgresSchemaVersion);
    expect((await reopened.balance('discord:bob', at('2026-11-21T11:00:00Z'))).remaining).toBe(8);
  });

  it('refuses a database migrated by a newer build, leaving it untouched', async () => {
    const url = await freshDatabase();
    await withConnection(url, async (connection) => {
      await connection.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, description text NOT NULL, applied_at bigint NOT NULL)');
      await connection.query("INSERT INTO schema_migrations VALUES ($1, 'from the future', 0)", [latestPostgresSchemaVersion + 1]);
    });
    await expect(openPostgresStore(url, policy)).rejects.toThrow(/schema is version \d+ but this build knows up to \d+; run a newer build/);
    expect(await tableNames(url)).toEqual(['schema_migrations']);
  });

  it('upgrades a version 2 database: an old delivered job has no kept image, a new delivery keeps one, and purging removes it', async () => {
    const url = await freshDatabase();
    const noon = at('2026-11-21T12:00:00Z');
    await withConnection(url, async (connection) => {
      await connection.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, description text NOT NULL, applied_at bigint NOT NULL)');
      for (const migration of postgresMigrations.filter((step) => step.version <= 2)) {
        await connection.query(migration.sql);
        await connection.query('INSERT INTO schema_migrations VALUES ($1, $2, 0)', [migration.version, migration.description]);
      }
      // A job the old build delivered (it reserved nothing: an admin's).
      await connection.query(
        `INSERT INTO jobs (id, state, requester_key, platform, provider, model, request_json, origin_json, cost, quota_day,
           delivered_message_id, created_at, updated_at)
         VALUES ('before', 'delivered', 'discord:admin', 'discord', 'mock', 'mock-model', $1, $2, 0, '2026-11-21', 'message-0', $3, $3)`,
        [
          JSON.stringify({
            prompt: 'old', resolution: '1K', outputFormat: 'png', provider: 'mock', model: 'mock-model',
            requester: { platform: 'discord', userId: 'admin' },
          }),
          JSON.stringify({ platform: 'discord', channelId: 'channel-1' }),
          noon,
        ],
      );
    });

    const store = await opened(openPostgresStore(url, policy));
    expect(await postgresSchemaVersion(store.pool)).toBe(3);
    expect(latestPostgresSchemaVersion).toBe(3);
    expect(await store.keptImage('before')).toBeUndefined();
    expect(await store.communitySettings('discord:guild')).toEqual({ allowedChannels: [], roleCredits: {}, blockedTerms: [] });
    await store.createJob(newJob({ id: 'after', now: noon + 1 }));
    const { claimed } = await store.claimJobs({
      owner: 'after-upgrade', now: noon + 10, leaseMs: 30_000, maxPerUser: 5, providerLimit: () => 5, limit: 10, platforms: ['discord'],
    });
    const lease = claimed[0]?.lease;
    if (lease === undefined) throw new Error('the new job was not claimed');
    await store.markSucceeded(lease, { url: 'https://provider.example/a.png' }, noon + 11);
    await store.markDelivered(lease, 'message-1', noon + 12, { data: new Uint8Array([1, 2, 3]), mimeType: 'image/png' });
    expect(await store.keptImage('after')).toEqual({ data: new Uint8Array([1, 2, 3]), mimeType: 'image/png' });
    expect(await store.purgeFinishedBefore(noon + 100)).toBe(2);
    expect(await store.keptImage('after')).toBeUndefined();
  });

  it('is what openStore opens when the configuration names a PostgreSQL URL', async () => {
    const url = await freshDatabase();
    const { store, close } = await openStore({ database: { kind: 'postgres', url }, quota: defaultQuota });
    cleanups.push(close);
    expect(store.kind).toBe('postgres');
    expect((await store.balance('discord:alice', at('2026-11-21T10:00:00Z'))).remaining).toBe(defaultQuota.dailyCredits);
  });
});
