// Shared fixtures for the store tests: real SQLite files in a temp folder, a quota policy, and job builders.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../src/config.ts';
import type { NewJob, StoredReference } from '../../src/core/job-store.ts';
import { createQuotaPolicy, type QuotaPolicy } from '../../src/core/quota-policy.ts';
import type { Platform, ProviderId, Resolution } from '../../src/core/request.ts';
import { createSqliteStore, openDatabase, type SqliteDatabase, type SqliteStore } from '../../src/store/index.ts';

/** Quota settings used unless a test overrides them. */
export const defaultQuota: Config['quota'] = {
  dailyCredits: 5,
  costs: { '1K': 1, '2K': 1, '4K': 2 },
  communityDailyCredits: undefined,
  adminUserIds: ['discord:admin'],
};

/** A fresh temp folder; `remove` deletes it with everything in it. */
export function temporaryFolder(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'nano-imagine-store-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Quota settings a test changes. */
export type QuotaOverrides = Partial<Config['quota']>;

export interface TestStore {
  store: SqliteStore;
  database: SqliteDatabase;
  policy: QuotaPolicy;
  path: string;
  close(): void;
}

/** Opens a store on a real database file (a new temp one unless `path` is given). */
export function openTestStore(options: { path?: string; quota?: QuotaOverrides } = {}): TestStore {
  const folder = options.path === undefined ? temporaryFolder() : undefined;
  const path = options.path ?? join(folder?.path ?? '', 'bot.db');
  const database = openDatabase(path);
  const policy = createQuotaPolicy({ ...defaultQuota, ...options.quota });
  return {
    store: createSqliteStore({ database, policy }),
    database,
    policy,
    path,
    close() {
      database.close();
      folder?.remove();
    },
  };
}

/** Milliseconds for an ISO time (`2026-11-21T20:48:00Z`). */
export function at(iso: string): number {
  return Date.parse(iso);
}

export interface JobOptions {
  id: string;
  requesterKey?: string;
  communityKey?: string;
  dedupeKey?: string;
  resolution?: Resolution;
  cost?: number;
  unlimited?: boolean;
  references?: StoredReference[];
  /** `mock` unless a test needs jobs for several providers. */
  provider?: ProviderId;
  now?: number;
}

/** A job as the runner would create it: platform from the requester key, cost from the default tiers. */
export function newJob(options: JobOptions): NewJob {
  const requesterKey = options.requesterKey ?? 'discord:alice';
  const [prefix = 'discord', userId = 'alice'] = requesterKey.split(':');
  const platform = prefix as Platform;
  const resolution = options.resolution ?? '1K';
  const job: NewJob = {
    id: options.id,
    requesterKey,
    request: {
      prompt: `a banana astronaut ${options.id}`,
      references: options.references ?? [],
      aspectRatio: '16:9',
      resolution,
      outputFormat: 'png',
      provider: options.provider ?? 'mock',
      model: 'mock-model',
      requester: { platform, userId },
    },
    origin: { platform, channelId: 'channel-1', messageId: `status-${options.id}` },
    cost: options.cost ?? defaultQuota.costs[resolution],
    unlimited: options.unlimited ?? false,
    now: options.now ?? at('2026-11-21T12:00:00Z'),
  };
  if (options.dedupeKey !== undefined) job.dedupeKey = options.dedupeKey;
  if (options.communityKey !== undefined) job.communityKey = options.communityKey;
  return job;
}

/** Deterministic pseudo-random numbers (mulberry32), so a failing random run can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}
