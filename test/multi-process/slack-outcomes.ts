// What users saw on the fake Slack, job by job: one status message, its final text, and every upload of its image.
import { expect } from 'vitest';
import type { FakeSlack } from '../fakes/slack/fake-slack.ts';
import type { FakeMessage } from '../fakes/slack/workspace.ts';
import type { JobLedgerRow, JobRow } from '../support/job-table.ts';

/** One job with the Slack messages that belong to it. */
export interface JobOutcome {
  job: JobRow;
  statusMessage: FakeMessage | undefined;
  /** Bot messages carrying this job's image (`nano-imagine-<job id>.<ext>`), wherever they were posted. */
  uploads: FakeMessage[];
  /** The status message's text as it stands now. */
  finalText: string;
}

/** Matches every status that promises more to come: a message left like this never ended. */
export const pendingStatePattern = /· (queued|generating…)/;

/** Pairs each job with its status message and uploads. */
export function outcomesOf(slack: FakeSlack, jobs: readonly JobRow[]): JobOutcome[] {
  const botMessages = slack.workspace.botMessages(slack.identity.botUserId);
  return jobs.map((job) => {
    const statusMessage = botMessages.find((message) => message.ts === job.statusTs && message.files.length === 0);
    const prefix = `nano-imagine-${job.id}.`;
    const uploads = botMessages.filter((message) => message.files.some((file) => file.name.startsWith(prefix)));
    return { job, statusMessage, uploads, finalText: statusMessage?.text ?? '' };
  });
}

/**
 * The end state every multi-process run must reach: one job per command, each delivered with exactly
 * one upload in its own thread and its status message ended ("done in …"), one status message per
 * command and no other, no intake left, and per job exactly one reserve and one commit in the ledger.
 */
export function expectEveryRequestAnsweredOnce(input: {
  slack: FakeSlack;
  jobs: readonly JobRow[];
  ledger: readonly JobLedgerRow[];
  intakesLeft: number;
  commands: number;
}): JobOutcome[] {
  const { slack, jobs, ledger } = input;
  expect(jobs).toHaveLength(input.commands);
  expect(new Set(jobs.map((job) => job.dedupeKey)).size).toBe(input.commands);
  expect(jobs.filter((job) => job.state !== 'delivered').map((job) => `${job.id}: ${job.state}`)).toEqual([]);
  expect(input.intakesLeft).toBe(0);

  const outcomes = outcomesOf(slack, jobs);
  for (const outcome of outcomes) {
    const label = `job ${outcome.job.id} (${outcome.job.requesterKey})`;
    expect(outcome.statusMessage, `${label} has its status message`).toBeDefined();
    expect(outcome.uploads.map((message) => message.threadTs), `${label}: one upload, in its thread`).toEqual([outcome.job.statusTs]);
    expect(outcome.finalText, `${label}: the status message ended`).toMatch(/done in \d+ s/);
    expect(outcome.finalText).not.toMatch(pendingStatePattern);
    const kinds = ledger.filter((row) => row.jobId === outcome.job.id && row.scope === 'user').map((row) => row.kind);
    expect(kinds, `${label}: ledger`).toEqual(['reserve', 'commit']);
  }
  // No stray status messages (a command handled twice would post a second one) and no refusals.
  const statusMessages = slack.workspace.botMessages(slack.identity.botUserId).filter((message) => message.threadTs === undefined);
  expect(statusMessages).toHaveLength(input.commands);
  expect(slack.workspace.ephemerals).toEqual([]);
  expect(slack.workspace.responses).toEqual([]);
  return outcomes;
}
