// A process killed after Slack posted its image but before Slack's answer arrived: the taker must not post again, and must end the status.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/slack/fake-slack.ts';
import { runLedgerAudit } from '../support/admin-audit.ts';
import type { BotProcess } from '../support/bot-process.ts';
import { openJobTable, type JobTable, type TestDatabase } from '../support/job-table.ts';
import { waitFor } from '../support/wait-for.ts';
import { startFleet } from './slack-bot-fleet.ts';
import { expectEveryRequestAnsweredOnce } from './slack-outcomes.ts';

let directory: string;
let slack: FakeSlack;
let table: JobTable | undefined;
let bots: BotProcess[] = [];

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'nano-posted-'));
  slack = await startFakeSlack();
});

afterAll(async () => {
  await Promise.all(bots.map((bot) => bot.kill()));
  await table?.close();
  await slack.close();
  rmSync(directory, { recursive: true, force: true });
});

it('finishes a job whose image Slack posted but never confirmed to the killed process: no second upload, and the status message ends', async () => {
  const database: TestDatabase = { kind: 'sqlite', path: join(directory, 'bot.db') };
  const environment = { JOB_LEASE_SECONDS: '2', MOCK_DELAY_MS: '1500', QUOTA_DAILY_CREDITS: '20' };
  bots = await startFleet({ slack, database, cwd: directory, environment }, ['bot-1', 'bot-2']);
  table = await openJobTable(database);
  const jobTable = table;

  // Slack posts each image, but the answer to files.completeUploadExternal never reaches the bot.
  const releaseAnswers = slack.holdCalls((call) => (call.method === 'files.completeUploadExternal' ? 'after' : undefined));
  for (const user of ['U0POST1', 'U0POST2']) await slack.slashCommand({ userId: user, channelId: 'C0GENERAL', text: `${user}: a banana sunrise` });
  await slack.waitFor(() => slack.holds.held.length === 2, 'both images posted and their answers held', 15_000);

  const rows = await jobTable.jobs();
  expect(rows.map((row) => row.state)).toEqual(['succeeded', 'succeeded']);
  const victim = bots.find((bot) => bot.owner === rows[0]?.leaseOwner) as BotProcess;
  await victim.kill();
  releaseAnswers();

  const ended = async () => (await jobTable.jobs()).every((row) => row.state === 'delivered' || row.state === 'failed');
  await waitFor(ended, 'both jobs finished', 20_000, 50);
  const survivors = bots.filter((bot) => bot !== victim);
  expect(await Promise.all(survivors.map((bot) => bot.stop()))).toEqual(survivors.map(() => 0));

  expectEveryRequestAnsweredOnce({ slack, jobs: await jobTable.jobs(), ledger: await jobTable.jobLedger(), intakesLeft: await jobTable.intakeCount(), commands: 2 });
  expect(slack.workspace.callsOf('files.getUploadURLExternal')).toHaveLength(2);
  const audit = await runLedgerAudit(database, directory);
  expect(audit.code, audit.output).toBe(0);
}, 60_000);
