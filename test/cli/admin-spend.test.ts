// `npm run admin -- spend` as a real process, on a SQLite file and on PostgreSQL: the table sums correctly by provider and by day.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobSpend } from '../../src/core/job-spend.ts';
import { createQuotaPolicy } from '../../src/core/quota-policy.ts';
import type { ProviderId } from '../../src/core/request.ts';
import { openPostgresStore, type BotStore } from '../../src/store/index.ts';
import { defaultQuota, newJob, openTestStore } from '../store/store-fixtures.ts';
import { leaseJob } from '../support/leases.ts';
import { runAdmin, useAdminScratch } from './admin-cli-runner.ts';

const scratch = useAdminScratch();

const day = (iso: string) => Date.parse(iso);

const credits = (amount: number): JobSpend => ({ amountMicros: amount * 1_000_000, unit: 'cr', source: 'reported' });
const priced = (amountMicros: number): JobSpend => ({ amountMicros, unit: '', source: 'price' });

/** Jobs as bot processes would leave them: accepted by a provider at a time, for a cost. */
const seeded: Array<[id: string, provider: ProviderId, at: number, spend: JobSpend]> = [
  ['c-1', 'nbp-cloud', day('2026-11-20T10:00:00Z'), credits(20)],
  ['c-2', 'nbp-cloud', day('2026-11-21T10:00:00Z'), credits(15)],
  ['c-3', 'nbp-cloud', day('2026-11-21T11:00:00Z'), { amountMicros: 0, unit: 'cr', source: 'refunded' }],
  ['x-1', 'xenodia', day('2026-11-20T12:00:00Z'), priced(130_000)],
  ['x-2', 'xenodia', day('2026-11-21T12:00:00Z'), priced(240_000)],
  ['x-3', 'xenodia', day('2026-11-21T13:00:00Z'), priced(130_000)],
  ['n-1', 'nbp-net', day('2026-11-21T14:00:00Z'), { amountMicros: null, unit: '', source: 'unknown' }],
];

async function seed(store: BotStore): Promise<void> {
  for (const [id, provider, at, spend] of seeded) {
    await store.createJob(newJob({ id, provider: 'xenodia', now: at }));
    const lease = await leaseJob(store, id, at);
    await store.markSubmitting(lease, at);
    await store.markAccepted(lease, { taskId: `task-${id}`, provider, model: 'nano-banana-pro', attempts: [], spend }, at);
  }
}

/** The same checks on whichever database `environment` names. */
async function expectSpendTables(environment: Record<string, string>): Promise<void> {
  const byProvider = await runAdmin(['spend'], environment, scratch.folder);
  expect(byProvider).toMatchObject({ code: 0, stderr: '' });
  expect(byProvider.stdout.split('\n')).toEqual([
    "Spend by provider, all time (each provider's own unit; UNKNOWN: jobs with no reported cost and no PROVIDER_PRICES entry).",
    'PROVIDER   JOBS  COST         UNKNOWN  REFUNDED',
    'nbp-cloud  3     35 cr        0        1',
    'nbp-net    1     unknown      1        0',
    'xenodia    3     0.5          0        0',
    'total      7     0.5 + 35 cr  1        1',
    '',
  ]);

  const byDay = await runAdmin(['spend', '--by', 'day'], environment, scratch.folder);
  expect(byDay.code).toBe(0);
  expect(byDay.stdout).toContain('2026-11-20  2     0.13 + 20 cr  0        0');
  expect(byDay.stdout).toContain('2026-11-21  5     0.37 + 15 cr  1        1');

  const since = await runAdmin(['spend', '--since', '2026-11-21'], environment, scratch.folder);
  expect(since.stdout).toContain('Spend by provider, since 2026-11-21');
  expect(since.stdout).toMatch(/nbp-cloud\s+2\s+15 cr\s+0\s+1/);
  expect(since.stdout).toMatch(/xenodia\s+2\s+0\.37\s+0\s+0/);

  const wrong = await runAdmin(['spend', '--by', 'week'], environment, scratch.folder);
  expect(wrong.code).toBe(2);
  expect(wrong.stderr).toContain('--by must be one of provider, day, user, server; got "week".');
}

describe('admin spend', () => {
  it('prints the table on SQLite', async () => {
    const path = join(scratch.folder, 'spend.db');
    const opened = openTestStore({ path, quota: { dailyCredits: 20 } });
    await seed(opened.store);
    opened.close();
    await expectSpendTables({ DATABASE_PATH: path });
  });

  it('prints the same table on PostgreSQL', async () => {
    const store = await openPostgresStore(scratch.databaseUrl, createQuotaPolicy({ ...defaultQuota, dailyCredits: 20 }));
    try {
      await seed(store);
    } finally {
      await store.close();
    }
    await expectSpendTables({ DATABASE_URL: scratch.databaseUrl });
  });
});
