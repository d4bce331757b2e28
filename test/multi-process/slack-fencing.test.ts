// Fencing: a bot process frozen (SIGSTOP) past its leases, whose jobs another process took over, changes and posts nothing once resumed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/slack/fake-slack.ts';
import { runLedgerAudit } from '../support/admin-audit.ts';
import type { BotProcess } from '../support/bot-process.ts';
import { openJobTable, type JobRow, type JobTable } from '../support/job-table.ts';
import { createTestDatabase, dropTestDatabase } from '../support/postgres-server.ts';
import { busyConnections, installWriteLog, readWriteLog } from '../support/postgres-write-log.ts';
import { waitFor } from '../support/wait-for.ts';
import { startFleet } from './slack-bot-fleet.ts';
import { expectEveryRequestAnsweredOnce } from './slack-outcomes.ts';

const serverUrl = inject('postgresUrl');
/** Web API methods that only read: a resumed stale process may reconnect or look around, never write. */
const readOnlyMethods = new Set(['apps.connections.open', 'auth.test', 'conversations.replies', 'conversations.history', 'files.info']);
const leaseMs = 2000;
const freezeMs = 5500;

let directory: string;
let databaseUrl: string;
let slack: FakeSlack;
let table: JobTable | undefined;
let bots: BotProcess[] = [];

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'nano-fencing-'));
  databaseUrl = await createTestDatabase(serverUrl);
  slack = await startFakeSlack();
});

afterAll(async () => {
  await Promise.all(bots.map((bot) => bot.kill()));
  await table?.close();
  await slack.close();
  await dropTestDatabase(serverUrl, databaseUrl);
  rmSync(directory, { recursive: true, force: true });
});

/**
 * SIGSTOP at a moment the process has no statement running and no transaction open on PostgreSQL:
 * frozen inside the claim pass's transaction it would hold the claim lock, and nobody could take
 * anything over until it woke (that is PostgreSQL's business, not the fencing under test).
 */
async function freezeBetweenTransactions(bot: BotProcess): Promise<number> {
  for (let attempt = 1; attempt <= 50; attempt += 1) {
    bot.freeze();
    const frozenAt = Date.now();
    if ((await busyConnections(databaseUrl, bot.name)) === 0) return frozenAt;
    bot.thaw();
    await new Promise((resolve) => setTimeout(resolve, 7));
  }
  throw new Error(`${bot.name} never stood still outside a transaction`);
}

it('a process frozen past its leases, whose jobs were taken over, writes nothing and posts nothing after SIGCONT; each image arrives once, from the new owner', async () => {
  await installWriteLog(databaseUrl);
  const database = { kind: 'postgres' as const, url: databaseUrl };
  const environment = { JOB_LEASE_SECONDS: String(leaseMs / 1000), MOCK_DELAY_MS: '4000', MAX_JOBS_PER_USER: '2', QUOTA_DAILY_CREDITS: '20' };
  bots = await startFleet({ slack, database, cwd: directory, environment }, ['bot-a', 'bot-b']);
  table = await openJobTable(database);
  const jobTable = table;

  // Every command to bot-a's connection: bot-a creates the jobs and (mostly) claims them at once.
  const connection = slack.socketMode.openConnections().find((candidate) => candidate.client === 'bot-a');
  for (const user of ['U0FENCE1', 'U0FENCE2', 'U0FENCE3', 'U0FENCE4']) {
    await slack.slashCommand({ userId: user, channelId: 'C0GENERAL', text: `${user}: a lighthouse made of bananas`, connectionId: connection?.id as string });
  }
  await waitFor(async () => (await jobTable.jobs()).every((row) => row.state === 'running'), 'all four jobs running at the provider');

  // Freeze whichever process holds the most; the other one must take its jobs over.
  const rows = await jobTable.jobs();
  const heldBy = (bot: BotProcess) => rows.filter((row) => row.leaseOwner === bot.owner);
  const [frozen, taker] = [...bots].sort((left, right) => heldBy(right).length - heldBy(left).length) as [BotProcess, BotProcess];
  const frozenJobs = heldBy(frozen);
  expect(frozenJobs.length).toBeGreaterThan(0);
  // The taker's uploads wait until the frozen process has been awake a while: it wakes up to finished,
  // undelivered jobs whose tasks it was polling, the moment it would post them if nothing fenced it.
  const releaseTakerUploads = slack.holdCalls((call) => (call.client === taker.name && call.method === 'files.getUploadURLExternal' ? 'before' : undefined));
  const frozenAt = await freezeBetweenTransactions(frozen);

  const takenOver = async () => {
    const now = await jobTable.jobs();
    return frozenJobs.every((job) => {
      const current = now.find((row) => row.id === job.id) as JobRow;
      return current.leaseOwner === taker.owner && current.leaseEpoch > job.leaseEpoch && current.state === 'succeeded';
    });
  };
  await waitFor(takenOver, `${taker.name} to take over and finish ${frozen.name}'s jobs`, 15_000, 50);
  const takeoverSeenAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, frozenAt + freezeMs - Date.now())));
  frozen.thaw();
  const resumedAt = Date.now();
  // Its lease renewals, poll timers and progress throttles all fire now; give them time to try.
  const abandoned = () => frozen.logText().split('leaving the job to the next owner').length - 1;
  // Not awaited strictly: a process that does not give up shows up in the assertions below, by what it did.
  await waitFor(() => abandoned() >= frozenJobs.length, `${frozen.name} to give up each job it lost`, 10_000).catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  releaseTakerUploads();

  // Waits for an end, not for success, so that a broken fence fails on what it did below rather than on a timeout.
  const ended = async () => (await jobTable.jobs()).every((row) => row.state === 'delivered' || row.state === 'failed');
  await waitFor(ended, 'every job delivered or failed', 20_000, 50).catch(() => undefined);
  expect(await Promise.all(bots.map((bot) => bot.stop()))).toEqual([0, 0]);

  const finalRows = await jobTable.jobs();
  expectEveryRequestAnsweredOnce({ slack, jobs: finalRows, ledger: await jobTable.jobLedger(), intakesLeft: await jobTable.intakeCount(), commands: 4 });

  // Nothing the frozen process did after the freeze reached the database: the write log names each writer.
  const writes = await readWriteLog(databaseUrl);
  expect(writes.filter((write) => write.app === frozen.name && write.at >= frozenAt)).toEqual([]);
  // The log is not blind: it saw the frozen process claim the jobs and the taker take them over and deliver them.
  for (const job of frozenJobs) {
    const ofJob = writes.filter((write) => write.jobId === job.id && write.table === 'jobs');
    expect(ofJob.some((write) => write.app === frozen.name && write.newEpoch === job.leaseEpoch)).toBe(true);
    expect(ofJob.some((write) => write.app === taker.name && write.newEpoch === job.leaseEpoch + 1)).toBe(true);
    expect(ofJob.at(-1)).toMatchObject({ app: taker.name, newState: 'delivered', newEpoch: job.leaseEpoch + 1 });
    const final = finalRows.find((row) => row.id === job.id) as JobRow;
    expect(final.leaseEpoch).toBe(job.leaseEpoch + 1);
  }

  // Nothing it did after waking reached Slack: no edit, no post, no upload; each image came from the taker.
  const frozenCalls = slack.workspace.calls.filter((call) => call.client === frozen.name && call.at >= resumedAt);
  expect(frozenCalls.filter((call) => !readOnlyMethods.has(call.method)).map((call) => call.method)).toEqual([]);
  expect(slack.workspace.uploads.filter((upload) => upload.client === frozen.name && upload.at >= frozenAt)).toEqual([]);
  const frozenJobFiles = new Set(frozenJobs.map((job) => `nano-imagine-${job.id}.png`));
  const completions = slack.workspace.callsOf('files.completeUploadExternal').filter((call) => call.ok && frozenJobFiles.has(fileNameOf(call.fields)));
  expect(completions.map((call) => call.client)).toEqual(frozenJobs.map(() => taker.name));

  // It noticed, too: each job it had ended quietly ("leaving the job to the next owner").
  expect(abandoned()).toBe(frozenJobs.length);

  const audit = await runLedgerAudit(database, directory);
  expect(audit.code, audit.output).toBe(0);
  console.info(
    `fencing: froze ${frozen.name} holding ${frozenJobs.length} jobs for ${resumedAt - frozenAt} ms; taken over ${takeoverSeenAt - frozenAt} ms after the freeze`,
  );
}, 90_000);

/** The file name a `files.completeUploadExternal` call completed (the fake remembers it on the posted file). */
function fileNameOf(fields: Record<string, string>): string {
  const entries = JSON.parse(fields.files ?? '[]') as Array<{ id?: string }>;
  return slack.workspace.files.get(entries[0]?.id ?? '')?.name ?? '';
}
