// SQLite only: the file opens with WAL and the other pragmas, gets the schema once, upgrades old files, refuses one from the future.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createQuotaPolicy } from '../../src/core/quota-policy.ts';
import { migrations } from '../../src/store/sqlite/migrations.ts';
import { createSqliteStore, latestSchemaVersion, migrate, openDatabase, schemaVersion, unbalancedAccounts } from '../../src/store/index.ts';
import { at, defaultQuota, openTestStore, temporaryFolder } from './store-fixtures.ts';

const cleanups: Array<() => void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function folder(): string {
  const created = temporaryFolder();
  cleanups.push(created.remove);
  return created.path;
}

function tableNames(database: Database.Database): string[] {
  return database
    .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all();
}

/** A file as a build that knew migrations up to `version` left it. */
function fileAtVersion(path: string, version: number): Database.Database {
  const database = new Database(path);
  for (const migration of migrations.filter((step) => step.version <= version)) {
    database.exec(migration.sql);
    database.pragma(`user_version = ${migration.version}`);
  }
  return database;
}

const noon = at('2026-11-21T12:00:00Z');

/** A queued job row as migration 1 stored it (no platform, no lease). */
function insertVersion1Job(database: Database.Database, id: string, requesterKey: string, state: string, createdAt: number): void {
  const platform = requesterKey.split(':')[0];
  database
    .prepare(
      `INSERT INTO jobs (id, dedupe_key, state, requester_key, community_key, provider, model, request_json, origin_json,
         task_id, cost, community_cost, quota_day, created_at, updated_at)
       VALUES (?, ?, ?, ?, NULL, 'mock', 'mock-model', ?, ?, ?, 0, 0, '2026-11-21', ?, ?)`,
    )
    .run(
      id, `event-${id}`, state, requesterKey,
      JSON.stringify({ prompt: id, aspectRatio: '1:1', resolution: '1K', outputFormat: 'png', provider: 'mock', model: 'mock-model', requester: { platform, userId: 'u' } }),
      JSON.stringify({ platform, channelId: 'channel-1' }),
      state === 'queued' ? null : `task-${id}`, createdAt, createdAt,
    );
}

describe('openDatabase and migrations', () => {
  it('creates the folder and the schema on a fresh file, with WAL, busy timeout, foreign keys and NORMAL sync', async () => {
    const path = join(folder(), 'nested', 'deeper', 'bot.db');
    const database = openDatabase(path);
    cleanups.push(() => database.close());
    expect(schemaVersion(database)).toBe(latestSchemaVersion);
    expect(latestSchemaVersion).toBeGreaterThanOrEqual(1);
    expect(tableNames(database)).toEqual([
      'community_settings', 'community_settings_changes', 'event_keys', 'intakes', 'job_cancels', 'job_images', 'job_references', 'jobs',
      'moderation_events', 'provider_spend', 'quota_accounts', 'quota_ledger',
    ]);
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(database.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(database.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(database.pragma('synchronous', { simple: true })).toBe(1);
  });

  it('applies nothing twice when reopened, and keeps the data', async () => {
    const path = join(folder(), 'bot.db');
    const first = openTestStore({ path });
    await first.store.grant('discord:bob', 3, 'discord:admin', at('2026-11-21T10:00:00Z'));
    first.database.close();

    const second = openDatabase(path);
    cleanups.push(() => second.close());
    expect(migrate(second)).toBe(0);
    expect(schemaVersion(second)).toBe(latestSchemaVersion);
    const reopened = openTestStore({ path });
    cleanups.push(() => reopened.database.close());
    expect((await reopened.store.balance('discord:bob', at('2026-11-21T11:00:00Z'))).remaining).toBe(8);
  });

  it('lets several connections open the same file at once', async () => {
    const path = join(folder(), 'bot.db');
    const connections = [openDatabase(path), openDatabase(path), openDatabase(path)];
    cleanups.push(() => connections.forEach((connection) => connection.close()));
    expect(connections.map(schemaVersion)).toEqual(connections.map(() => latestSchemaVersion));
  });

  it('works in memory', async () => {
    const database = openDatabase(':memory:');
    cleanups.push(() => database.close());
    expect(schemaVersion(database)).toBe(latestSchemaVersion);
    expect(tableNames(database)).toContain('quota_ledger');
  });

  it('refuses a database written by a newer build, leaving it untouched', async () => {
    const path = join(folder(), 'bot.db');
    const raw = new Database(path);
    raw.pragma(`user_version = ${latestSchemaVersion + 1}`);
    raw.close();
    expect(() => openDatabase(path)).toThrow(/schema is version \d+ but this build knows up to/);
    const check = new Database(path);
    cleanups.push(() => check.close());
    expect(tableNames(check)).toEqual([]);
  });

  it('upgrades a version 1 file: jobs keep their data, get their platform, and are claimable and taken over', async () => {
    const path = join(folder(), 'bot.db');
    const old = fileAtVersion(path, 1);
    insertVersion1Job(old, 'slack-queued', 'slack:U1', 'queued', noon);
    insertVersion1Job(old, 'discord-running', 'discord:alice', 'running', noon + 1);
    old.close();

    const database = openDatabase(path);
    cleanups.push(() => database.close());
    expect(schemaVersion(database)).toBe(latestSchemaVersion);
    const store = createSqliteStore({ database, policy: createQuotaPolicy(defaultQuota) });
    expect(await store.get('slack-queued')).toMatchObject({ state: 'queued', submitStartedAt: null, request: { prompt: 'slack-queued', references: [] } });
    const request = { owner: 'after-upgrade', now: noon + 10, leaseMs: 30_000, maxPerUser: 5, providerLimit: () => 5, limit: 10 };
    // A job running when the old build stopped has no lease: it is taken over at once, by a process serving its platform.
    const discord = await store.claimJobs({ ...request, platforms: ['discord'] });
    expect(discord.claimed.map((entry) => [entry.job.id, entry.lease.epoch, entry.takenOver])).toEqual([['discord-running', 1, true]]);
    const slack = await store.claimJobs({ ...request, platforms: ['slack'] });
    expect(slack.claimed.map((entry) => [entry.job.id, entry.takenOver])).toEqual([['slack-queued', false]]);
  });

  it('upgrades a version 2 file: an intake gets the platform of its origin and can be taken over', async () => {
    const path = join(folder(), 'bot.db');
    const old = fileAtVersion(path, 2);
    old.prepare('INSERT INTO intakes (dedupe_key, origin_json, prompt, created_at) VALUES (?, ?, ?, ?)')
      .run('interaction-1', JSON.stringify({ platform: 'discord', channelId: 'channel-1' }), 'a cat', noon);
    old.close();

    const database = openDatabase(path);
    cleanups.push(() => database.close());
    const store = createSqliteStore({ database, policy: createQuotaPolicy(defaultQuota) });
    const request = { owner: 'after-upgrade', now: noon + 10, leaseMs: 30_000, limit: 10 };
    expect(await store.claimIntakes({ ...request, platforms: ['slack'] })).toEqual([]);
    expect(await store.claimIntakes({ ...request, platforms: ['discord'] })).toEqual([{
      intake: { dedupeKey: 'interaction-1', origin: { platform: 'discord', channelId: 'channel-1' }, prompt: 'a cat', createdAt: noon },
      lease: { dedupeKey: 'interaction-1', owner: 'after-upgrade', epoch: 1 },
    }]);
    expect(await store.rememberEvent('slack:Ev1', noon, 1000)).toBe(true);
  });

  it('upgrades a version 3 file: its jobs have no attempts or spend yet, and a queued one is accepted elsewhere with both', async () => {
    const path = join(folder(), 'bot.db');
    const old = fileAtVersion(path, 3);
    insertVersion1Job(old, 'waiting', 'discord:alice', 'queued', noon);
    insertVersion1Job(old, 'at-provider', 'discord:alice', 'submitted', noon + 1);
    old.prepare("UPDATE jobs SET platform = 'discord'").run();
    old.close();

    const database = openDatabase(path);
    cleanups.push(() => database.close());
    expect(schemaVersion(database)).toBe(latestSchemaVersion);
    const store = createSqliteStore({ database, policy: createQuotaPolicy(defaultQuota) });
    expect(await store.get('at-provider')).toMatchObject({ state: 'submitted', taskId: 'task-at-provider', attempts: [] });
    expect(await store.spendOf('at-provider')).toBeUndefined();
    const { claimed } = await store.claimJobs({ owner: 'after-upgrade', now: noon + 10, leaseMs: 30_000, maxPerUser: 5, providerLimit: () => 5, limit: 10, platforms: ['discord'] });
    const lease = claimed.find((entry) => entry.job.id === 'waiting')?.lease;
    if (lease === undefined) throw new Error('the queued job was not claimed');
    await store.markSubmitting(lease, noon + 11);
    const attempts = [{ provider: 'nbp-cloud' as const, model: 'nano-banana-pro', outcome: 'accepted' as const, at: noon + 12 }];
    await store.markAccepted(lease, { taskId: 'task-1', provider: 'nbp-cloud', model: 'nano-banana-pro', attempts, spend: { amountMicros: 20_000_000, unit: 'cr', source: 'reported' } }, noon + 12);
    expect(await store.get('waiting')).toMatchObject({ provider: 'nbp-cloud', taskId: 'task-1', attempts });
    expect(await store.spendReport({ by: 'day' })).toEqual([{ key: '2026-11-21', unit: 'cr', jobs: 1, knownJobs: 1, refundedJobs: 0, amountMicros: 20_000_000 }]);
  });

  it('upgrades a version 4 file: jobs have no kept image, communities no settings, and a running job can be cancelled and purged', async () => {
    const path = join(folder(), 'bot.db');
    const old = fileAtVersion(path, 4);
    insertVersion1Job(old, 'at-provider', 'discord:alice', 'running', noon);
    insertVersion1Job(old, 'done', 'discord:alice', 'delivered', noon + 1);
    old.prepare("UPDATE jobs SET platform = 'discord'").run();
    // The day the jobs' (zero) reservations were taken from, as the old build opened it.
    old.prepare("INSERT INTO quota_accounts VALUES ('user', 'discord:alice', '2026-11-21', 5, 5, 0, ?)").run(noon);
    old.prepare(
      `INSERT INTO quota_ledger (scope, account_key, quota_day, kind, amount, reserved_change, actor_key, created_at)
       VALUES ('user', 'discord:alice', '2026-11-21', 'reset', 5, 0, 'system:daily-allowance', ?)`,
    ).run(noon);
    old.close();

    const database = openDatabase(path);
    cleanups.push(() => database.close());
    expect(schemaVersion(database)).toBe(5);
    const store = createSqliteStore({ database, policy: createQuotaPolicy(defaultQuota) });
    expect(await store.keptImage('done')).toBeUndefined();
    expect(await store.communitySettings('discord:guild')).toEqual({ allowedChannels: [], roleCredits: {}, blockedTerms: [] });
    expect(await store.moderationEvents({ limit: 10 })).toEqual([]);
    // The old job reserved nothing (cost 0), so its refund is 0 and moves nothing that was not held.
    const cancelled = await store.cancelJob('at-provider', 'discord:admin', noon + 10);
    expect(cancelled).toMatchObject({ kind: 'cancelled', refunded: 0, job: { state: 'failed', error: { code: 'cancelled' } } });
    expect(await store.purgeFinishedBefore(noon + 100)).toBe(2);
    expect(unbalancedAccounts(await store.auditAccounts())).toEqual([]);
  });
});
