// kill -9 one of several bot processes sharing a database while it holds jobs in every state; the others must finish each request once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { startFakeXenodia, type FakeXenodia } from '../fakes/providers/index.ts';
import { startFakeSlack, type FakeSlack } from '../fakes/slack/fake-slack.ts';
import { runLedgerAudit } from '../support/admin-audit.ts';
import type { BotProcess } from '../support/bot-process.ts';
import { openJobTable, type JobRow, type JobTable, type TestDatabase } from '../support/job-table.ts';
import { CapSampler, peakFromTimestamps, type CapPeak } from '../support/user-cap.ts';
import { waitFor } from '../support/wait-for.ts';
import { commandReceivers, startFleet } from './slack-bot-fleet.ts';
import { expectEveryRequestAnsweredOnce } from './slack-outcomes.ts';
import { describeHoldings, heldCount, holdingsOf, kindsHeld, type HeldKind, type Holdings } from './holdings.ts';

/** The load and the fleet. */
export interface KillScenarioOptions {
  /** Makes the database the fleet shares, in `directory` for SQLite; called before any bot starts. */
  database(directory: string): Promise<TestDatabase>;
  processCount: number;
  users: number;
  /** At least 3, so that every user has a request waiting behind the per-user cap of 2. */
  requestsPerUser: number;
}

/** What happened, for the test's log line. */
export interface KillScenarioReport {
  victim: string;
  heldAtKill: Record<HeldKind, number>;
  /** Jobs each process held (leased) when the victim was killed. */
  heldByProcess: Record<string, number>;
  finishedAfterKillMs: number;
  capPeak: CapPeak;
  timestampPeak: CapPeak;
  samples: number;
}

const channelId = 'C0GENERAL';
const maxJobsPerUser = 2;
const channelPrompt = (user: string, round: number) => `${user} r${round}: a banana lighthouse, take ${round}`;

/**
 * Runs the scenario and checks its outcome; throws (an assertion) on the first broken promise.
 *
 * Nothing here races the clock: the fake provider keeps every task queued until the test steers it,
 * and the one finished result is held on its way to Slack. Commands go to the processes' Socket Mode
 * connections in turn, so every process accepts some of the requests that wait behind the per-user
 * cap. Once every admitted job sits submitted, the process holding the most is chosen; one of its
 * tasks is steered to running and one to succeeded (its upload held), and it is killed with queued,
 * submitted, running and finished-but-undelivered jobs. Then the provider and Slack are let go.
 */
export async function runKillScenario(options: KillScenarioOptions): Promise<KillScenarioReport> {
  const directory = mkdtempSync(join(tmpdir(), 'nano-multi-'));
  let slack: FakeSlack | undefined;
  let xenodia: FakeXenodia | undefined;
  let bots: BotProcess[] = [];
  let table: JobTable | undefined;
  let sampler: CapSampler | undefined;
  try {
    slack = await startFakeSlack();
    xenodia = await startFakeXenodia({ latencyMs: 200, recommendedPollIntervalMs: 500 });
    xenodia.holdNewTasks(true);
    const database = await options.database(directory);
    const environment = {
      JOB_LEASE_SECONDS: '2',
      MAX_JOBS_PER_USER: String(maxJobsPerUser),
      // Room for every admitted job at once, so only the per-user cap keeps requests waiting.
      PROVIDER_MAX_IN_FLIGHT: '64',
      QUOTA_DAILY_CREDITS: '20',
      PROVIDER: 'xenodia',
      XENODIA_API_KEY: xenodia.apiKey,
      XENODIA_BASE_URL: xenodia.baseUrl,
    };
    const names = Array.from({ length: options.processCount }, (_, index) => `bot-${index + 1}`);
    bots = await startFleet({ slack, database, cwd: directory, environment }, names);
    table = await openJobTable(database);
    const jobTable = table;
    sampler = new CapSampler(table, 50);
    sampler.start();

    // Each command goes to the next process's connection, round by round.
    const connections = names.map((name) => slack?.socketMode.openConnections().find((connection) => connection.client === name)?.id as string);
    const users = Array.from({ length: options.users }, (_, index) => `U0USER${String(index + 1).padStart(2, '0')}`);
    const commands = users.length * options.requestsPerUser;
    let sent = 0;
    for (let round = 1; round <= options.requestsPerUser; round += 1) {
      const acks: Array<Promise<unknown>> = [];
      for (const user of users) {
        const connectionId = connections[sent % connections.length] as string;
        acks.push(slack.slashCommand({ userId: user, channelId, text: channelPrompt(user, round), connectionId }));
        sent += 1;
      }
      await Promise.all(acks);
      // A round's jobs exist before the next round is sent, so each user's later requests queue behind them.
      await waitFor(async () => (await jobTable.jobs()).length === sent, `the jobs of round ${round}`, 15_000, 50);
    }

    // Every user's first two requests are admitted and sit at the provider; the rest wait in line.
    const admitted = users.length * maxJobsPerUser;
    await waitFor(async () => {
      const rows = await jobTable.jobs();
      return rows.length === commands && rows.filter((row) => row.state === 'submitted' && row.taskId !== null).length === admitted;
    }, `${admitted} jobs submitted and held at the provider`, 30_000, 50);
    const receivers = commandReceivers(slack);
    const before = holdingsOf(bots, await jobTable.jobs(), Date.now(), receivers);
    const most = Math.max(...before.map(heldCount));
    const chosen = before.find((holdings) => heldCount(holdings) === most) as Holdings;
    const victim = chosen.bot;
    expect(chosen.leased.submitted.length, `the victim holds enough jobs to steer:\n${describeHoldings(before)}`).toBeGreaterThanOrEqual(3);
    expect(chosen.waitingAccepted.length, `the victim accepted requests that wait in line:\n${describeHoldings(before)}`).toBeGreaterThan(0);

    // One of its jobs starts generating, another finishes but its image is held on the way to Slack.
    const [toRun, toFinish] = chosen.leased.submitted as [JobRow, JobRow];
    xenodia.steerTask(toRun.taskId as string, 'running');
    await waitFor(async () => (await jobTable.jobs()).some((row) => row.id === toRun.id && row.state === 'running'), 'a job running', 15_000, 50);
    const finishPrompt = `${toFinish.requesterKey.replace(/^slack:/, '')} r`;
    const releaseUpload = slack.holdCalls((call) =>
      call.method === 'files.getUploadURLExternal' && (call.files[0]?.altText ?? '').startsWith(finishPrompt) ? 'before' : undefined,
    );
    xenodia.steerTask(toFinish.taskId as string, 'succeeded');
    await slack.waitFor(() => slack?.holds.held.length === 1, 'the finished image held on its way to Slack', 15_000);

    const rowsBeforeKill = await jobTable.jobs();
    await victim.kill();
    const killedAt = Date.now();
    // The dead process's jobs as it left them (nobody takes them over before its leases expire).
    const atDeath = holdingsOf([victim], rowsBeforeKill, killedAt, receivers)[0] as Holdings;
    expect(kindsHeld(atDeath)).toEqual(['queued', 'submitted', 'running', 'succeeded']);
    const heldByProcess = Object.fromEntries(holdingsOf(bots, rowsBeforeKill, killedAt, receivers).map((holdings) => [holdings.bot.name, heldCount(holdings)]));
    const victimJobs = Object.values(atDeath.leased).flat();

    // The provider finishes everything (new tasks too) and Slack takes uploads again.
    xenodia.holdNewTasks(false);
    for (const id of xenodia.taskIds()) xenodia.steerTask(id, undefined);
    releaseUpload();
    const survivors = bots.filter((bot) => bot !== victim);
    const everyJobFinal = async () => {
      const rows = await jobTable.jobs();
      return rows.length === commands && rows.every((row) => row.state === 'delivered' || row.state === 'failed') && (await jobTable.intakeCount()) === 0;
    };
    await waitFor(everyJobFinal, 'every job delivered or failed', 45_000, 50);
    const finishedAt = Date.now();
    expect(await Promise.all(survivors.map((bot) => bot.stop()))).toEqual(survivors.map(() => 0));
    await sampler.stop();

    const rows = await jobTable.jobs();
    expectEveryRequestAnsweredOnce({ slack, jobs: rows, ledger: await jobTable.jobLedger(), intakesLeft: await jobTable.intakeCount(), commands });
    // Each envelope went to the connection it was sent to, and each job was created at the provider once.
    expect(slack.socketMode.deliveries.map((delivery) => delivery.client)).toEqual(Array.from({ length: commands }, (_, index) => names[index % names.length]));
    const creates = xenodia.apiRequests().filter((request) => request.method === 'POST');
    expect(creates).toHaveLength(commands);
    expect(new Set(rows.map((row) => row.taskId)).size).toBe(commands);
    // The dead process's jobs were finished by the others, under newer leases, polling the tasks it created.
    for (const job of victimJobs) {
      const final = rows.find((row) => row.id === job.id) as JobRow;
      expect(final.leaseEpoch, `job ${job.id} was taken over`).toBeGreaterThan(job.leaseEpoch);
      if (job.taskId !== null) expect(final.taskId).toBe(job.taskId);
    }

    const timestampPeak = peakFromTimestamps(rows);
    expect(sampler.peak.slots, `peak per-user slots while running: ${JSON.stringify(sampler.peak)}`).toBeLessThanOrEqual(maxJobsPerUser);
    expect(timestampPeak.slots, `peak per-user slots from timestamps: ${JSON.stringify(timestampPeak)}`).toBeLessThanOrEqual(maxJobsPerUser);
    // The cap was reached, so the check above was not vacuous.
    expect(timestampPeak.slots).toBe(maxJobsPerUser);

    const audit = await runLedgerAudit(database, directory);
    expect(audit.output).toMatch(/(\d+) of \1 quota account days match their ledger/);
    expect(audit.code, audit.output).toBe(0);

    return {
      victim: victim.name,
      heldAtKill: {
        queued: atDeath.waitingAccepted.length + atDeath.leased.queued.length,
        submitted: atDeath.leased.submitted.length,
        running: atDeath.leased.running.length,
        succeeded: atDeath.leased.succeeded.length,
      },
      heldByProcess,
      finishedAfterKillMs: finishedAt - killedAt,
      capPeak: sampler.peak,
      timestampPeak,
      samples: sampler.samples,
    };
  } finally {
    await sampler?.stop();
    await Promise.all(bots.map((bot) => bot.kill()));
    await table?.close();
    await slack?.close();
    await xenodia?.close();
    rmSync(directory, { recursive: true, force: true });
  }
}
