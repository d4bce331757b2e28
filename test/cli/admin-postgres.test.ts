// The admin CLI as a real process on PostgreSQL (DATABASE_URL): grants, balances, job lists, purge and the audit.
import { describe, expect, it } from 'vitest';
import { createQuotaPolicy } from '../../src/core/quota-policy.ts';
import { openPostgresStore } from '../../src/store/index.ts';
import { newJob } from '../store/store-fixtures.ts';
import { leaseJob } from '../support/leases.ts';
import { runAdmin, useAdminScratch, type CliRun } from './admin-cli-runner.ts';

const scratch = useAdminScratch();
const dayMs = 86_400_000;

function admin(args: string[], environment: Record<string, string> = {}): Promise<CliRun> {
  return runAdmin(args, { DATABASE_URL: scratch.databaseUrl, QUOTA_DAILY_CREDITS: '10', ...environment }, scratch.folder);
}

describe('admin CLI on PostgreSQL', () => {
  it('grants, shows and resets credits, lists and purges jobs, and audits the ledger', async () => {
    const granted = await admin(['grant', 'discord:42', '5']);
    expect(granted).toMatchObject({ code: 0, stderr: '' });
    expect(granted.stdout).toContain('remaining today: 15 credits (daily allowance 10)');
    expect((await admin(['balance', 'discord:42'])).stdout).toMatch(/grant\s+\+5\s+day \d{4}-\d\d-\d\d\s+by cli:\S+/);
    expect((await admin(['reset', 'discord:42'])).stdout).toContain('remaining today: 10 credits (daily allowance 10)');

    // Jobs written by a bot process on the same database: one old and delivered, one failed today.
    const store = await openPostgresStore(scratch.databaseUrl, createQuotaPolicy({ dailyCredits: 10, costs: { '1K': 1, '2K': 1, '4K': 2 }, communityDailyCredits: undefined, adminUserIds: [] }));
    try {
      const now = Date.now();
      const old = now - 40 * dayMs;
      await store.createJob(newJob({ id: 'old-done', now: old }));
      const oldLease = await leaseJob(store, 'old-done', old);
      await store.markSucceeded(oldLease, { url: 'https://x.example/a.png' }, old);
      await store.markDelivered(oldLease, 'message-1', old);
      await store.createJob(newJob({ id: 'bob-now', requesterKey: 'slack:bob', resolution: '4K', now }));
      await store.markFailed(await leaseJob(store, 'bob-now', now), { code: 'provider_rejected', message: 'no', retryable: false }, now);
    } finally {
      await store.close();
    }
    const jobs = (await admin(['jobs'])).stdout.trimEnd().split('\n');
    expect(jobs.slice(1).map((line) => line.split(/\s{2,}/)[1])).toEqual(['bob-now', 'old-done']);
    expect(jobs[1]).toMatch(/bob-now\s+failed\s+slack:bob\s+2\s+mock\/mock-model\s+provider_rejected/);
    const purge = await admin(['purge'], { JOB_RETENTION_DAYS: '30' });
    expect(purge.stdout).toMatch(/^Deleted 1 finished job created before/);
    expect((await admin(['jobs'])).stdout).not.toContain('old-done');
    expect((await admin(['balance', 'discord:alice'])).stdout).toMatch(/commit\s+0\s+day .*job old-done/);

    const audit = await admin(['audit']);
    expect(audit.code).toBe(0);
    expect(audit.stdout).toMatch(/^(\d+) of \1 quota account days match their ledger\.\n$/);
  });

  it('exits 1 and names the account when a balance disagrees with its ledger', async () => {
    await admin(['grant', 'slack:U9', '3']);
    const store = await openPostgresStore(scratch.databaseUrl, createQuotaPolicy({ dailyCredits: 10, costs: { '1K': 1, '2K': 1, '4K': 2 }, communityDailyCredits: undefined, adminUserIds: [] }));
    try {
      // What a hand edit of the table (or a bug) would leave behind: credits with no ledger row.
      await store.pool.query(`UPDATE quota_accounts SET available = available + 7 WHERE account_key = 'slack:U9'`);
    } finally {
      await store.close();
    }
    const audit = await admin(['audit']);
    expect(audit.code).toBe(1);
    expect(audit.stdout).toMatch(/MISMATCH user slack:U9 \d{4}-\d\d-\d\d: available 20 \(ledger 13\)/);
  });

  it('names DATABASE_URL when it is not a PostgreSQL URL', async () => {
    const run = await runAdmin(['balance', 'discord:1'], { DATABASE_URL: 'mysql://localhost/x' }, scratch.folder);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('DATABASE_URL: must be a PostgreSQL URL');
  });
});
