// Slack end to end: Cancel on a pending status message and `/imagine cancel <id>`, for the requester or a workspace admin, with the provider held.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRecord } from '../../../src/core/job-store.ts';
import { findAction } from '../../fakes/slack/fake-slack.ts';
import type { FakeMessage } from '../../fakes/slack/workspace.ts';
import { askPrivately, clickForAnswer } from './private-answers.ts';
import { alice, bob, imagineStatus, startSlackTest, uploadsIn, type SlackTest } from './slack-test-app.ts';

/** A workspace admin (users.info `is_admin`). */
const carol = 'U0CAROL';

let test: SlackTest;

beforeAll(async () => {
  // One job per user at a time, so a second request waits in the bot's own line.
  test = await startSlackTest({ environment: { QUOTA_DAILY_CREDITS: '10', MAX_JOBS_PER_USER: '1' } });
  test.slack.workspace.setUser(carol, { isAdmin: true, displayName: 'Carol' });
  test.slack.workspace.setUser(alice, { displayName: 'Alice <!here>' });
  test.xenodia.holdNewTasks(true);
});

afterAll(async () => {
  await test?.close();
});

/** Runs `/imagine <prompt>` as `userId`; returns its status message (once it has the Cancel button) and its job. */
async function pendingJob(userId: string, prompt: string): Promise<{ message: FakeMessage; job: JobRecord }> {
  const { slack } = test;
  const message = await imagineStatus(slack, userId, prompt);
  await slack.waitFor(() => findAction(message.blocks, 'imagine_cancel') !== undefined, `the Cancel button of "${prompt}"`);
  const job = (await test.jobs()).find((candidate) => candidate.origin.messageId === message.ts) as JobRecord;
  expect(job).toBeDefined();
  return { message, job };
}

/** The job as stored now. */
async function current(jobId: string): Promise<JobRecord> {
  return (await test.jobs()).find((job) => job.id === jobId) as JobRecord;
}

/** Waits until the provider has the job's task, pinned queued at the provider (the job is "generating"). */
async function atProvider(jobId: string): Promise<string> {
  return test.slack.waitFor(async () => {
    const job = await current(jobId);
    return job.state === 'submitted' && job.taskId !== null && job.taskId;
  }, `job ${jobId} at the provider`);
}

function cancelledText(message: FakeMessage): string | false {
  return message.text.includes('· cancelled') && message.text;
}

describe('Slack cancel', () => {
  it('cancels a job while it generates and one while it waits in line: the messages say who, the credits come back, and a result released later is never posted', async () => {
    const { slack, xenodia } = test;
    const generating = await pendingJob(alice, 'a slow fox');
    const taskId = await atProvider(generating.job.id);
    const waiting = await pendingJob(alice, 'a second fox');
    expect((await current(waiting.job.id)).state).toBe('queued');
    expect(waiting.message.text).toContain('queued');
    expect(await test.creditsLeft(alice)).toBe(8);

    await slack.clickButton({ userId: alice, message: waiting.message, actionId: 'imagine_cancel' });
    const waitingText = await slack.waitFor(() => cancelledText(waiting.message), 'the queued job cancelled');
    // The name is plain text (escaped): a post or edit that mentions someone could notify them.
    expect(waitingText).toBe(`<@${alice}> asked: a second fox · 1K · cancelled\nCancelled by @Alice &lt;!here&gt; — 1 credit refunded.`);
    expect(findAction(waiting.message.blocks, 'imagine_cancel')).toBeUndefined();
    expect((await current(waiting.job.id)).error).toMatchObject({ code: 'cancelled' });

    await slack.clickButton({ userId: alice, message: generating.message, actionId: 'imagine_cancel' });
    await slack.waitFor(() => cancelledText(generating.message), 'the generating job cancelled');
    expect(findAction(generating.message.blocks, 'imagine_cancel')).toBeUndefined();
    expect(await test.creditsLeft(alice)).toBe(10);

    // The provider finishes the cancelled task after all: nothing is downloaded for it and nothing posted.
    xenodia.steerTask(taskId, 'succeeded');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await test.runner.runner.whenIdle();
    expect(uploadsIn(slack, generating.message.ts)).toEqual([]);
    expect(uploadsIn(slack, waiting.message.ts)).toEqual([]);
    expect(cancelledText(generating.message)).toBeTruthy();
    expect((await current(generating.job.id)).state).toBe('failed');
    // The queued job never reached the provider.
    expect(test.providerCreates()).toHaveLength(1);
    expect(slack.workspace.ephemerals).toEqual([]);
  });

  it("refuses someone else's Cancel, privately, and lets a workspace admin cancel", async () => {
    const { slack } = test;
    const pending = await pendingJob(alice, 'a third fox');
    await atProvider(pending.job.id);
    expect(await clickForAnswer(slack, { userId: bob, message: pending.message, actionId: 'imagine_cancel' })).toBe(
      'Only the person who asked or a workspace admin can cancel this.',
    );
    expect((await current(pending.job.id)).state).toBe('submitted');
    expect(cancelledText(pending.message)).toBe(false);

    await slack.clickButton({ userId: carol, message: pending.message, actionId: 'imagine_cancel' });
    expect(await slack.waitFor(() => cancelledText(pending.message), 'the admin’s cancel')).toContain('Cancelled by @Carol — 1 credit refunded.');
    expect(await test.creditsLeft(alice)).toBe(10);
    expect(await askPrivately(slack, { userId: alice, text: `cancel ${pending.job.id}` })).toBe('That image has already finished, so there is nothing to cancel.');
  });

  it('cancels with `/imagine cancel <short id>`; a short id finds only your own jobs', async () => {
    const { slack } = test;
    const pending = await pendingJob(alice, 'a fourth fox');
    await atProvider(pending.job.id);
    const shortId = pending.job.id.slice(0, 8);
    expect(await askPrivately(slack, { userId: alice, text: 'jobs' })).toContain(`\`${shortId}\``);
    expect(await askPrivately(slack, { userId: bob, text: `cancel ${shortId}` })).toBe(
      `There is no job \`${shortId}\` among yours. \`/imagine jobs\` lists your jobs with their ids.`,
    );
    expect(await askPrivately(slack, { userId: alice, text: `cancel ${shortId}` })).toBe(`Cancelled \`${shortId}\`. 1 credit refunded.`);
    await slack.waitFor(() => cancelledText(pending.message), 'the message to say cancelled');
    expect(await test.creditsLeft(alice)).toBe(10);
    expect(await askPrivately(slack, { userId: alice, text: 'cancel' })).toBe('Use `/imagine cancel <id>` with an id from `/imagine jobs`.');
  });

  it('lists cancelled jobs as cancelled, not failed, in /imagine jobs', async () => {
    const listing = await askPrivately(test.slack, { userId: alice, text: 'jobs' });
    expect(listing.split('\n').filter((line) => line.includes(':no_entry: cancelled'))).toHaveLength(4);
    expect(listing).not.toContain('failed');
  });
});
