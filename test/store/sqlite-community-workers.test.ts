// SQLite only: settings changes and allowances from worker threads, each on its own connection to one file, all survive.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { unbalancedAccounts } from '../../src/store/index.ts';
import { startTsxWorker } from '../support/tsx-worker.ts';
import type { CommunityWorkerInput } from './community-worker.ts';
import { at, openTestStore, temporaryFolder } from './store-fixtures.ts';

// Stores on one thread take turns (better-sqlite3 runs each call to completion); only threads of their
// own contend for the file's lock the way processes do, so only they show a lost update or SQLITE_BUSY.

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const workerEntry = new URL('./community-worker.ts', import.meta.url);

describe('SQLite community settings across worker threads', () => {
  it('keeps every change and ends at the highest allowance when four threads write at once', { timeout: 120_000 }, async () => {
    const folder = temporaryFolder();
    cleanups.push(folder.remove);
    const path = join(folder.path, 'shared.db');
    const test = openTestStore({ path });
    cleanups.push(() => test.database.close());
    const now = at('2026-11-21T12:00:00Z');
    const changes = 60;
    const workers = [0, 1, 2, 3].map((index) => {
      const input: CommunityWorkerInput = {
        path, label: `worker${index}`, communityKey: 'discord:guild', changes, requesterKey: 'discord:alice', now,
        allowances: Array.from({ length: 20 }, (_, step) => 6 + ((step * 7 + index * 3) % 30)),
      };
      const worker = startTsxWorker(workerEntry, input, input.label);
      cleanups.push(() => worker.terminate());
      return { worker, input };
    });
    await Promise.all(workers.map(({ worker }) => worker.ready));
    workers.forEach(({ worker }) => worker.go());
    await Promise.all(workers.map(({ worker }) => worker.done));

    const settings = await test.store.communitySettings('discord:guild');
    expect(settings.blockedTerms).toHaveLength(workers.length * changes);
    expect(await test.store.settingsChanges('discord:guild', 10_000)).toHaveLength(workers.length * changes);
    const highest = Math.max(...workers.flatMap(({ input }) => input.allowances));
    expect(await test.store.balance('discord:alice', now)).toMatchObject({ remaining: highest, dailyCredits: highest });
    expect(unbalancedAccounts(await test.store.auditAccounts())).toEqual([]);
  });
});
