// kill -9 one of several bot processes sharing a database while it holds jobs in every state; the others must finish each request once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { HoldRule } from '../fakes/slack/api-holds.ts';
import { startFakeSlack, type FakeSlack } from '../fakes/slack/fake-slack.ts';
import { runLedgerAudit } from '../support/admin-audit.ts';
import type { BotProcess } from '../support/bot-process.ts';
import { openJobTable, type JobRow, type JobTable, type TestDatabase } from '../support/job-table.ts';
import { CapSampler, peakFromTimestamps, type CapPeak } from '../support/user-cap.ts';
import { waitFor } from '../support/wait-for.ts';
import { commandReceivers, startFleet } from './slack-bot-fleet.ts';
import { expectEveryRequestAnsweredOnce } from './slack-outcomes.ts';
import { chooseVictim, describeHoldings, heldCount, holdingsOf, kindsHeld, type HeldKind, type Holdings } from './victim-choice.ts';

/** The load and the fleet. */
export interface KillScenarioOptions {
  /** Makes the database the fleet shares, in `directory` for SQLite; called before any bot starts. */
  database(directory: string): Promise<TestDatabase>;
  processCount: number;
  users: number;
  requestsPerUser: number;
  /** The first users' results are held on their way to Slack, so their jobs sit finished and undelivered. */
  heldUsers: number;
  /** Pause between two `/imagine` commands. */
  sendIntervalMs: number;
}

/** What happened, for the test's log line. */
export interface KillScenarioReport {
  victim: string;
  heldAtKill: Record<HeldKind, number>;
  /** Whether the victim held the most jobs of all processes when it was killed. */
  victimHeldMost: boolean;
  killAfterMs: number;
  finishedAfterKillMs: number;
  capPeak: CapPeak;
  timestampPeak: CapPeak;
  samples: number;
}

const channelId = 'C0GENERAL';
const maxJobsPerUser = 2;
// Long enough that, on a slow machine, jobs are still at the provider when the last command is acknowledged.
const taskDurationMs = 6000;
const channelPrompt = (user: string, round: number) => `${user} r${round}: a banana lighthouse, take ${round}`;

/**
 * Holds the held users' first two results before they reach Slack (the upload URL is never handed
 * out), so those jobs sit finished and undelivered. The alt text carries the prompt, hence the user.
 * (A result Slack posted but never confirmed is the subject of posted-unconfirmed.test.ts.)
 */
function uploadHoldRule(heldUsers: ReadonlySet<string>): HoldRule {
  return (call) => {
    if (call.method !== 'files.getUploadURLExternal') return undefined;
    const match = /^(U0USER\d+) r(\d+):/.exec(call.files[0]?.altText ?? '');
    return match && heldUsers.has(match[1] as string) && Number(match[2]) <= 2 ? 'before' : undefined;
  };
}

/** Runs the scenario and checks its outcome; throws (an assertion) on the first broken promise. */
export async function runKillScenario(options: KillScenarioOptions): Promise<KillScenarioReport> {
  const directory = mkdtempSync(join(tmpdir(), 'nano-multi-'));
  let slack: FakeSlack | undefined;
  let bots: BotProcess[] = [];
  let table: JobTable | undefined;
  let sampler: CapSampler | undefined;
  try {
    slack = await startFakeSlack();
    const database = await options.database(directory);
    const environment = {
      JOB_LEASE_SECONDS: '2',
      MAX_JOBS_PER_USER: String(maxJobsPerUser),
      MOCK_DELAY_MS: String(taskDurationMs),
      QUOTA_DAILY_CREDITS: '20',
    };
    const names = Array.from({ length: options.processCount }, (_, index) => `bot-${index + 1}`);
    bots = await startFleet({ slack, database, cwd: directory, environment }, names);
    table = await openJobTable(database);

    const users = Array.from({ length: options.users }, (_, index) => `U0USER${String(index + 1).padStart(2, '0')}`);
    const heldUsers = new Set(users.slice(0, options.heldUsers));
    const releaseUploads = slack.holdCalls(uploadHoldRule(heldUsers));
    // Their jobs stay as they are until the hold is released: finished ones undelivered, later ones waiting.
    const pinned = (row: JobRow) => heldUsers.has(row.requesterKey.replace(/^slack:/, ''));
    const commands = users.length * options.requestsPerUser;

    // The victim is chosen from live samples once every command is acknowledged (so none is lost in flight).
    let acknowledged = 0;
    let choice: { holdings: Holdings; all: Holdings[] } | undefined;
    let lastHoldings: Holdings[] = [];
    const fakeSlack = slack;
    sampler = new CapSampler(table, 50, (rows, at) => {
      if (choice || acknowledged < commands) return;
      const all = holdingsOf(bots, rows, at, commandReceivers(fakeSlack));
      lastHoldings = all;
      const holdings = chooseVictim(all, at, taskDurationMs, pinned);
      if (holdings) choice = { holdings, all };
    });
    sampler.start();

    // Round by round (every user's first request, then every user's second, …), at a steady pace.
    const startedAt = Date.now();
    const acks: Array<Promise<unknown>> = [];
    for (let round = 1; round <= options.requestsPerUser; round += 1) {
      for (const user of users) {
        acks.push(slack.slashCommand({ userId: user, channelId, text: channelPrompt(user, round) }).then(() => (acknowledged += 1)));
        await new Promise((resolve) => setTimeout(resolve, options.sendIntervalMs));
      }
    }
    await Promise.all(acks);

    await waitFor(() => choice !== undefined, 'a process holding queued, submitted, running and finished jobs', 15_000, 20).catch((error: Error) => {
      throw new Error(`${error.message}; the last sample:\n${describeHoldings(lastHoldings)}`);
    });
    const chosen = choice as NonNullable<typeof choice>;
    const victim = chosen.holdings.bot;
    await victim.kill();
    const killedAt = Date.now();

    // The dead process's jobs as it left them (nobody can take them over before its leases expire).
    const atDeath = holdingsOf([victim], await table.jobs(), killedAt - 1, commandReceivers(slack))[0] as Holdings;
    expect(kindsHeld(atDeath)).toEqual(['queued', 'submitted', 'running', 'succeeded']);
    const victimJobs = Object.values(atDeath.leased).flat();

    releaseUploads();
    const survivors = bots.filter((bot) => bot !== victim);
    const everyJobFinal = async () => {
      const rows = await (table as JobTable).jobs();
      return rows.length === commands && rows.every((row) => row.state === 'delivered' || row.state === 'failed') && (await (table as JobTable).intakeCount()) === 0;
    };
    await waitFor(everyJobFinal, 'every job delivered or failed', 45_000, 50);
    const finishedAt = Date.now();
    expect(await Promise.all(survivors.map((bot) => bot.stop()))).toEqual(survivors.map(() => 0));
    await sampler.stop();

    const rows = await table.jobs();
    expectEveryRequestAnsweredOnce({ slack, jobs: rows, ledger: await table.jobLedger(), intakesLeft: await table.intakeCount(), commands });

    // Each envelope went to exactly one connection, and every process got some.
    expect(slack.socketMode.deliveries).toHaveLength(commands);
    expect(new Set(slack.socketMode.deliveries.map((delivery) => delivery.client))).toEqual(new Set(names));
    // The dead process's jobs were finished by the others, under newer leases.
    for (const job of victimJobs) {
      const final = rows.find((row) => row.id === job.id) as JobRow;
      expect(final.leaseEpoch, `job ${job.id} was taken over`).toBeGreaterThan(job.leaseEpoch);
    }

    const timestampPeak = peakFromTimestamps(rows);
    expect(sampler.peak.slots, `peak per-user slots while running: ${JSON.stringify(sampler.peak)}`).toBeLessThanOrEqual(maxJobsPerUser);
    expect(timestampPeak.slots, `peak per-user slots from timestamps: ${JSON.stringify(timestampPeak)}`).toBeLessThanOrEqual(maxJobsPerUser);
    // The cap was reached, so the check above was not vacuous.
    expect(timestampPeak.slots).toBe(maxJobsPerUser);

    const audit = await runLedgerAudit(database, directory);
    expect(audit.output).toMatch(/(\d+) of \1 quota account days match their ledger/);
    expect(audit.code, audit.output).toBe(0);

    const heldAtKill = {
      queued: atDeath.waitingAccepted.length + atDeath.leased.queued.length,
      submitted: atDeath.leased.submitted.length,
      running: atDeath.leased.running.length,
      succeeded: atDeath.leased.succeeded.length,
    };
    return {
      victim: victim.name,
      heldAtKill,
      victimHeldMost: chosen.all.every((other) => heldCount(other) <= heldCount(chosen.holdings)),
      killAfterMs: killedAt - startedAt,
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
    rmSync(directory, { recursive: true, force: true });
  }
}
