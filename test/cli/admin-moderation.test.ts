// `npm run admin -- moderation` as a real process, on a SQLite file and on PostgreSQL: blocks and refusals, filtered by community and day.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NewModerationEvent } from '../../src/core/community-store.ts';
import { createQuotaPolicy } from '../../src/core/quota-policy.ts';
import { openPostgresStore, type BotStore } from '../../src/store/index.ts';
import { defaultQuota, openTestStore } from '../store/store-fixtures.ts';
import { runAdmin, useAdminScratch } from './admin-cli-runner.ts';

const scratch = useAdminScratch();

const events: NewModerationEvent[] = [
  {
    kind: 'blocked', platform: 'discord', communityKey: 'discord:G1', channelId: 'C1', requesterKey: 'discord:alice',
    prompt: 'a  B.A.D\ndog', detail: 'bad', source: 'server', jobId: null, createdAt: Date.parse('2026-11-20T10:00:00Z'),
  },
  {
    kind: 'refused', platform: 'slack', communityKey: 'slack:T1', channelId: 'C9', requesterKey: 'slack:U2',
    prompt: 'a forbidden picture', detail: 'The prompt was flagged as unsafe', source: 'xenodia', jobId: 'job-1', createdAt: Date.parse('2026-11-21T11:00:00Z'),
  },
];

async function seed(store: BotStore): Promise<void> {
  for (const event of events) await store.recordModeration(event);
}

async function expectLog(environment: Record<string, string>): Promise<void> {
  const all = await runAdmin(['moderation'], environment, scratch.folder);
  expect(all).toMatchObject({ code: 0, stderr: '' });
  const lines = all.stdout.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^WHEN\s+KIND\s+COMMUNITY\s+CHANNEL\s+USER\s+RULE OR REASON\s+PROMPT$/);
  expect(lines[1]).toMatch(/^2026-11-21 11:00:00 UTC\s+refused\s+slack:T1\s+C9\s+slack:U2\s+xenodia: The prompt was flagged as unsafe\s+a forbidden picture$/);
  expect(lines[2]).toMatch(/^2026-11-20 10:00:00 UTC\s+blocked\s+discord:G1\s+C1\s+discord:alice\s+server list: bad\s+a B\.A\.D dog$/);
  expect(lines).toHaveLength(3);

  const oneServer = await runAdmin(['moderation', '--community', 'discord:G1'], environment, scratch.folder);
  expect(oneServer.stdout.trimEnd().split('\n').slice(1).map((line) => line.split(/\s{2,}/)[1])).toEqual(['blocked']);
  const since = await runAdmin(['moderation', '--since', '2026-11-21', '--limit', '5'], environment, scratch.folder);
  expect(since.stdout.trimEnd().split('\n').slice(1).map((line) => line.split(/\s{2,}/)[1])).toEqual(['refused']);
  const none = await runAdmin(['moderation', '--community', 'slack:T-none'], environment, scratch.folder);
  expect(none.stdout).toBe('No blocked prompts or provider refusals recorded.\n');
}

describe('admin moderation', () => {
  it('prints the log on SQLite', async () => {
    const path = join(scratch.folder, 'moderation.db');
    const opened = openTestStore({ path });
    await seed(opened.store);
    opened.close();
    await expectLog({ DATABASE_PATH: path });
  });

  it('prints the same log on PostgreSQL', async () => {
    const store = await openPostgresStore(scratch.databaseUrl, createQuotaPolicy(defaultQuota));
    try {
      await seed(store);
    } finally {
      await store.close();
    }
    await expectLog({ DATABASE_URL: scratch.databaseUrl });
  });
});
