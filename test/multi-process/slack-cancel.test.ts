// Cancel across real bot processes on one SQLite file: handled by a process that does not hold the job, and by a fresh process after a kill -9.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startFakeXenodia, type FakeXenodia } from '../fakes/providers/index.ts';
import { findAction, startFakeSlack, type FakeSlack } from '../fakes/slack/fake-slack.ts';
import type { FakeMessage } from '../fakes/slack/workspace.ts';
import { runLedgerAudit } from '../support/admin-audit.ts';
import type { BotProcess } from '../support/bot-process.ts';
import { openJobTable, type JobRow, type JobTable, type TestDatabase } from '../support/job-table.ts';
import { waitFor } from '../support/wait-for.ts';
import { startFleet } from './slack-bot-fleet.ts';

const channelId = 'C0GENERAL';
const alice = 'U0ALICE';
/** Long enough for every poll a process still running the job would make, several times over. */
const afterFinishMs = 3000;

let directory: string;
let slack: FakeSlack;
let xenodia: FakeXenodia;
let database: TestDatabase;
let table: JobTable | undefined;
let bots: BotProcess[] = [];

beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), 'nano-cancel-'));
  slack = await startFakeSlack();
  xenodia = await startFakeXenodia({ latencyMs: 200, recommendedPollIntervalMs: 200 });
  // Every task stays queued at the provider until the test lets it finish: the jobs sit "generating".
  xenodia.holdNewTasks(true);
  database = { kind: 'sqlite', path: join(directory, 'bot.db') };
});

afterEach(async () => {
  await Promise.all(bots.map((bot) => bot.kill()));
  bots = [];
  await table?.close();
  table = undefined;
  await slack.close();
  await xenodia.close();
  rmSync(directory, { recursive: true, force: true });
});

/** The configuration every process of a test gets. */
function environment(extra: Record<string, string> = {}): Record<string, string> {
  return { JOB_LEASE_SECONDS: '2', QUOTA_DAILY_CREDITS: '10', PROVIDER: 'xenodia', XENODIA_API_KEY: xenodia.apiKey, XENODIA_BASE_URL: xenodia.baseUrl, ...extra };
}

function connectionOf(name: string): string {
  const connection = slack.socketMode.openConnections().find((candidate) => candidate.client === name);
  if (!connection) throw new Error(`${name} has no open Socket Mode connection`);
  return connection.id;
}

/** Sends `/imagine <prompt>` to `connectionId`; returns the job and its status message once the message carries Cancel. */
async function pendingJob(jobTable: JobTable, prompt: string, connectionId: string): Promise<{ job: JobRow; message: FakeMessage }> {
  const count = (await jobTable.jobs()).length;
  await slack.slashCommand({ userId: alice, channelId, text: prompt, connectionId });
  let job: JobRow | undefined;
  await waitFor(async () => {
    job = (await jobTable.jobs())[count];
    return job?.statusTs !== undefined;
  }, `the job of "${prompt}"`);
  const statusTs = (job as JobRow).statusTs as string;
  const message = await slack.waitFor(() => slack.workspace.findMessage(channelId, statusTs), 'its status message');
  await slack.waitFor(() => findAction(message.blocks, 'imagine_cancel') !== undefined, 'its Cancel button', 15_000);
  return { job: job as JobRow, message };
}

async function rowOf(jobTable: JobTable, jobId: string): Promise<JobRow> {
  return (await jobTable.jobs()).find((row) => row.id === jobId) as JobRow;
}

/** The user-scope ledger rows of `jobId`, in order. */
async function ledgerKinds(jobTable: JobTable, jobId: string): Promise<string[]> {
  return (await jobTable.jobLedger()).filter((row) => row.jobId === jobId && row.scope === 'user').map((row) => row.kind);
}

/** Lets the provider finish every task, waits out the polls, and checks that no image of `jobIds` reached Slack. */
async function expectNothingPostedAfterFinish(jobIds: readonly string[]): Promise<void> {
  xenodia.holdNewTasks(false);
  for (const taskId of xenodia.taskIds()) xenodia.steerTask(taskId, 'succeeded');
  await new Promise((resolve) => setTimeout(resolve, afterFinishMs));
  expect(slack.workspace.callsOf('files.getUploadURLExternal')).toEqual([]);
  expect(slack.workspace.uploads).toEqual([]);
  const posted = slack.workspace.messages.filter((message) => message.files.some((file) => jobIds.some((jobId) => file.name.startsWith(`nano-imagine-${jobId}.`))));
  expect(posted).toEqual([]);
}

const cancelledPattern = /· cancelled\nCancelled by @u0alice — 1 credit refunded\.$/;

it('a Cancel click handled by another process ends the job the first holds: the message says so, the credits come back, and the image the provider finishes later is never posted', async () => {
  bots = await startFleet({ slack, database, cwd: directory, environment: environment() }, ['bot-a', 'bot-b']);
  const [botA, botB] = bots as [BotProcess, BotProcess];
  table = await openJobTable(database);
  const jobTable = table;

  const { job, message } = await pendingJob(jobTable, 'a lighthouse held at the provider', connectionOf('bot-a'));
  await waitFor(async () => {
    const row = await rowOf(jobTable, job.id);
    return row.state === 'submitted' && row.taskId !== null && row.leaseOwner === botA.owner;
  }, 'bot-a to hold the job at the provider');

  await slack.clickButton({ userId: alice, message, actionId: 'imagine_cancel', connectionId: connectionOf('bot-b') });
  await slack.waitFor(() => cancelledPattern.test(message.text), 'the message to say cancelled', 15_000);
  expect(slack.socketMode.deliveries.filter((delivery) => delivery.type === 'interactive').map((delivery) => delivery.client)).toEqual(['bot-b']);
  const endings = slack.workspace.callsOf('chat.update').filter((call) => (call.fields.text ?? '').includes('· cancelled'));
  expect(endings.map((call) => call.client)).toEqual(['bot-b']);
  expect(findAction(message.blocks, 'imagine_cancel')).toBeUndefined();

  const row = await rowOf(jobTable, job.id);
  expect(row.state).toBe('failed');
  expect(row.leaseOwner).toBeNull();
  expect(await ledgerKinds(jobTable, job.id)).toEqual(['reserve', 'refund']);

  const cancelledAt = Date.now();
  await expectNothingPostedAfterFinish([job.id]);
  expect(message.text).toMatch(cancelledPattern);
  // bot-a, which held the job, left the message alone once it was cancelled.
  const laterEdits = slack.workspace.calls.filter((call) => call.client === 'bot-a' && call.at >= cancelledAt && call.method.startsWith('chat.'));
  expect(laterEdits).toEqual([]);

  expect(await Promise.all(bots.map((bot) => bot.stop()))).toEqual([0, 0]);
  const audit = await runLedgerAudit(database, directory);
  expect(audit.code, audit.output).toBe(0);
  expect(botB.logText()).toContain('job cancelled');
}, 90_000);

it('cancel after a restart: a process killed with one job generating and one queued; a fresh process cancels both, refunds them, and posts neither image', async () => {
  bots = await startFleet({ slack, database, cwd: directory, environment: environment({ MAX_JOBS_PER_USER: '1' }) }, ['bot-a']);
  const [botA] = bots as [BotProcess];
  table = await openJobTable(database);
  const jobTable = table;

  const generating = await pendingJob(jobTable, 'a comet held at the provider', connectionOf('bot-a'));
  await waitFor(async () => (await rowOf(jobTable, generating.job.id)).taskId !== null, 'the first job at the provider');
  const queued = await pendingJob(jobTable, 'a comet waiting in line', connectionOf('bot-a'));
  expect((await rowOf(jobTable, queued.job.id)).state).toBe('queued');

  await botA.kill();
  const [botC] = await startFleet({ slack, database, cwd: directory, environment: environment({ MAX_JOBS_PER_USER: '1' }) }, ['bot-c']);
  bots.push(botC as BotProcess);

  // The generating job by `/imagine cancel <short id>`, the queued one by its button: both through the fresh process.
  const shortId = generating.job.id.slice(0, 8);
  const { ack, payload } = await slack.slashCommand({ userId: alice, channelId, text: `cancel ${shortId}`, connectionId: connectionOf('bot-c') });
  const responseId = String(payload.response_url).split('/').pop();
  const answer =
    ack.payload?.text ?? (await slack.waitFor(() => slack.workspace.responses.find((response) => response.id === responseId), 'the answer to cancel', 15_000)).body.text;
  expect(answer).toBe(`Cancelled \`${shortId}\`. 1 credit refunded.`);
  await slack.clickButton({ userId: alice, message: queued.message, actionId: 'imagine_cancel', connectionId: connectionOf('bot-c') });

  await slack.waitFor(() => cancelledPattern.test(generating.message.text) && cancelledPattern.test(queued.message.text), 'both messages to say cancelled', 15_000);
  for (const { job } of [generating, queued]) {
    expect((await rowOf(jobTable, job.id)).state).toBe('failed');
    expect(await ledgerKinds(jobTable, job.id)).toEqual(['reserve', 'refund']);
  }

  await expectNothingPostedAfterFinish([generating.job.id, queued.job.id]);
  expect(generating.message.text).toMatch(cancelledPattern);
  expect(queued.message.text).toMatch(cancelledPattern);
  expect(await (botC as BotProcess).stop()).toBe(0);
  const audit = await runLedgerAudit(database, directory);
  expect(audit.code, audit.output).toBe(0);
}, 90_000);
