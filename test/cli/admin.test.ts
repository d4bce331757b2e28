// The admin CLI as a real process on a temp SQLite file: grants, balances, resets, job lists, purge, audit and exit codes.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newJob, openTestStore, temporaryFolder } from '../store/store-fixtures.ts';
import { leaseJob } from '../support/leases.ts';
import { runAdmin, type CliRun } from './admin-cli-runner.ts';

const dayMs = 86_400_000;

let folder: ReturnType<typeof temporaryFolder>;
beforeAll(async () => {
  folder = temporaryFolder();
});
afterAll(() => folder.remove());

/** Runs the CLI from an empty folder (no `.env`) with only these variables. */
function admin(args: string[], environment: Record<string, string>): Promise<CliRun> {
  return runAdmin(args, environment, folder.path);
}

describe('admin CLI', () => {
  it('grants credits that the balance then shows, and resets them to the allowance', async () => {
    const environment = { DATABASE_PATH: join(folder.path, 'grants', 'bot.db'), QUOTA_DAILY_CREDITS: '10' };
    const granted = await admin(['grant', 'discord:42', '5'], environment);
    expect(granted).toMatchObject({ code: 0, stderr: '' });
    expect(granted.stdout).toMatch(/^Granted 5 credits to discord:42 for today \(by cli:\S+\)\./);
    expect(granted.stdout).toContain('remaining today: 15 credits (daily allowance 10)');

    const balance = await admin(['balance', 'discord:42'], environment);
    expect(balance.code).toBe(0);
    expect(balance.stdout).toContain('discord:42\n  remaining today: 15 credits (daily allowance 10)');
    expect(balance.stdout).toContain('reserved:        0 credits');
    expect(balance.stdout).toMatch(/resets: {10}\d{4}-\d\d-\d\d 00:00:00 UTC \(in /);
    expect(balance.stdout).toMatch(/grant\s+\+5\s+day \d{4}-\d\d-\d\d\s+by cli:\S+/);
    expect(balance.stdout).toMatch(/reset\s+\+10\s+day .*by system:daily-allowance/);

    const reset = await admin(['reset', 'discord:42'], environment);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('remaining today: 10 credits (daily allowance 10)');
    const audit = await admin(['audit'], environment);
    expect(audit).toMatchObject({ code: 0, stdout: '1 of 1 quota account days match their ledger.\n' });
  });

  it('shows admins as unlimited', async () => {
    const environment = { DATABASE_PATH: join(folder.path, 'admins.db'), ADMIN_USER_IDS: 'slack:U1' };
    const balance = await admin(['balance', 'slack:U1'], environment);
    expect(balance.code).toBe(0);
    expect(balance.stdout).toContain('remaining today: unlimited (admin)');
  });

  it('lists recent jobs and purges finished ones past retention, keeping the ledger', async () => {
    const path = join(folder.path, 'jobs.db');
    const seeded = openTestStore({ path, quota: { dailyCredits: 20 } });
    const now = Date.now();
    const old = now - 40 * dayMs;
    await seeded.store.createJob(newJob({ id: 'old-done', now: old }));
    const oldLease = await leaseJob(seeded.store, 'old-done', old);
    await seeded.store.markSucceeded(oldLease, { url: 'https://x.example/a.png' }, old);
    await seeded.store.markDelivered(oldLease, 'message-1', old);
    await seeded.store.createJob(newJob({ id: 'old-waiting', now: old }));
    await seeded.store.createJob(newJob({ id: 'bob-now', requesterKey: 'slack:bob', resolution: '4K', now }));
    const bobLease = await leaseJob(seeded.store, 'bob-now', now);
    await seeded.store.markFailed(bobLease, { code: 'provider_rejected', message: 'no', retryable: false }, now);
    seeded.database.close();
    const environment = { DATABASE_PATH: path, JOB_RETENTION_DAYS: '30' };

    const all = await admin(['jobs'], environment);
    expect(all.code).toBe(0);
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CREATED\s+ID\s+STATE\s+USER\s+COST\s+PROVIDER\/MODEL\s+TRIED\s+ERROR\s+PROMPT$/);
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/)[1])).toEqual(['bob-now', 'old-waiting', 'old-done']);
    expect(lines[1]).toMatch(/bob-now\s+failed\s+slack:bob\s+2\s+mock\/mock-model\s+provider_rejected\s+a banana astronaut bob-now/);
    const failed = await admin(['jobs', '--state', 'failed', '--user', 'slack:bob', '--limit', '5'], environment);
    expect(failed.stdout.trimEnd().split('\n')).toHaveLength(2);
    const none = await admin(['jobs', '--user', 'discord:nobody'], environment);
    expect(none.stdout).toBe('No jobs match.\n');

    const purge = await admin(['purge'], environment);
    expect(purge.code).toBe(0);
    expect(purge.stdout).toMatch(/^Deleted 1 finished job created before .* \(JOB_RETENTION_DAYS=30\); the ledger is kept\.\n$/);
    const after = await admin(['jobs'], environment);
    expect(after.stdout).not.toContain('old-done');
    expect(after.stdout).toContain('old-waiting');
    const ledger = await admin(['balance', 'discord:alice'], environment);
    expect(ledger.stdout).toMatch(/commit\s+0\s+day .*job old-done/);
  });

  it('exits 2 with the usage for bad usage, without creating a database', async () => {
    const path = join(folder.path, 'never', 'bot.db');
    const environment = { DATABASE_PATH: path };
    const cases: Array<[string[], RegExp]> = [
      [[], /^Missing command\./],
      [['frobnicate'], /^Unknown command "frobnicate"\./],
      [['grant', 'discord:1'], /^"grant" takes 2 arguments\./],
      [['--frob'], /Unknown option '--frob'/],
    ];
    const runs = await Promise.all(cases.map(([args]) => admin(args, environment)));
    for (const [index, [args, message]] of cases.entries()) {
      const run = runs[index] as CliRun;
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toContain('Usage: npm run admin -- <command> [options]');
    }
    expect(existsSync(path)).toBe(false);
    const dataCases: Array<[string[], RegExp]> = [
      [['grant', 'discord:1', 'five'], /<credits> must be a whole number of at least 1; got "five"/],
      [['grant', 'discord:1', '0'], /<credits> must be a whole number of at least 1; got "0"/],
      [['balance', '12345'], /"12345" is not a user key; use a platform-qualified id/],
      [['jobs', '--state', 'done'], /--state must be one of queued, submitted, running, succeeded, failed, delivered/],
      [['balance', 'discord:1', '--limit', '3'], /--limit only applies to "jobs" and "moderation"/],
      [['moderation', '--community', '12345'], /--community must be a community key like discord:123/],
      [['spend', '--community', 'discord:1'], /--community only applies to "moderation"/],
    ];
    const dataRuns = await Promise.all(dataCases.map(([args]) => admin(args, { DATABASE_PATH: join(folder.path, 'usage.db') })));
    for (const [index, [args, message]] of dataCases.entries()) {
      const run = dataRuns[index] as CliRun;
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
    }
    const help = await admin(['--help'], environment);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('grant <user-key> <credits>');
  });

  it('exits 1 when the configuration or the database is unusable', async () => {
    const badConfig = await admin(['balance', 'discord:1'], { DATABASE_PATH: join(folder.path, 'c.db'), QUOTA_COSTS: '8K=1' });
    expect(badConfig.code).toBe(1);
    expect(badConfig.stderr).toContain('QUOTA_COSTS');
    const blocked = join(folder.path, 'grants', 'bot.db', 'inside.db');
    const badPath = await admin(['balance', 'discord:1'], { DATABASE_PATH: blocked });
    expect(badPath.code).toBe(1);
    expect(badPath.stderr).toMatch(/^Failed: /);
  });
});
