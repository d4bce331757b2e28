// Discord end to end: Cancel on a pending message, while queued and while generating, for the requester or a server manager, with the provider held.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRecord } from '../../../src/core/job-store.ts';
import { buttonIds, type FakeInteraction, type FakeMessage, type FakeUser } from '../../fakes/discord/fake-discord.ts';
import { createCalls, finalReply, privateAnswer, privateFollowUp, quotaOf, startDiscordTest, type DiscordTest } from './discord-test-bot.ts';

let test: DiscordTest;

beforeAll(async () => {
  // One job per user at a time, so a second request waits in the bot's own line; the provider holds every task.
  test = await startDiscordTest({ environment: { QUOTA_DAILY_CREDITS: '10', MAX_JOBS_PER_USER: '1' } });
  test.xenodia.holdNewTasks(true);
});

afterAll(async () => {
  await test?.close();
});

/** The Cancel button's custom id on a message, if it has one. */
function cancelIdOf(message: FakeMessage | undefined): string | undefined {
  return message === undefined ? undefined : buttonIds(message).find((id) => id.startsWith('ni1:cancel:'));
}

/** Runs /imagine as `user`; returns its pending message once it carries Cancel, and the job. */
async function pendingJob(user: FakeUser, prompt: string): Promise<{ interaction: FakeInteraction; message: FakeMessage; jobId: string }> {
  const { discord } = test;
  const interaction = discord.slashCommand({ user, name: 'imagine', options: { prompt } });
  const message = await discord.waitFor(`the Cancel button of "${prompt}"`, () => {
    const shown = discord.originalMessage(interaction);
    return cancelIdOf(shown) === undefined ? undefined : shown;
  });
  const jobId = (cancelIdOf(message) as string).split(':')[2] as string;
  return { interaction, message, jobId };
}

async function current(jobId: string): Promise<JobRecord> {
  return (await test.runner.store.get(jobId)) as JobRecord;
}

/** Waits until the job's task is at the provider (pinned queued there: the job is "generating"); returns the task id. */
async function atProvider(jobId: string): Promise<string> {
  return test.discord.waitFor(`job ${jobId} at the provider`, async () => {
    const job = await current(jobId);
    return job.state === 'submitted' && job.taskId !== null && job.taskId;
  });
}

/** Presses Cancel on a pending job's message (as a server manager when `manager`). */
function pressCancel(user: FakeUser, pending: { message: FakeMessage; jobId: string }, manager = false): FakeInteraction {
  return test.discord.clickButton({ user, message: pending.message, customId: `ni1:cancel:${pending.jobId}`, manager });
}

/** The pending message once it says it was cancelled. */
function cancelledMessage(message: FakeMessage): Promise<FakeMessage> {
  return test.discord.waitFor('the message to say cancelled', () => {
    const shown = test.discord.messages.get(message.id);
    return shown?.content.includes('🚫 Cancelled by') ? shown : undefined;
  });
}

describe('Cancel on Discord', () => {
  it('cancels a job while it generates and one while it waits in line: who cancelled, the refund in /quota, and a later result never posted', async () => {
    const { discord, xenodia } = test;
    const alice = discord.addUser('alice');
    const generating = await pendingJob(alice, 'a slow fox');
    const taskId = await atProvider(generating.jobId);
    const waiting = await pendingJob(alice, 'a second fox');
    expect((await current(waiting.jobId)).state).toBe('queued');
    expect(waiting.message.content).toContain('Queued');
    expect(await quotaOf(discord, alice)).toContain('**Credits left today:** 8 credits');

    const press = pressCancel(alice, waiting);
    const waitingEnd = await cancelledMessage(waiting.message);
    expect(press.callbacks[0]?.type).toBe(6);
    expect(waitingEnd.content.split('\n').at(-1)).toBe(`🚫 Cancelled by <@${alice.id}> — 1 credit refunded.`);
    expect(waitingEnd.content).toContain('a second fox');
    expect(buttonIds(waitingEnd)).toEqual([]);
    // The mention names who cancelled; sent with mentions off, it pings nobody.
    expect(waitingEnd.mentions).toEqual([]);
    expect((await current(waiting.jobId)).error).toMatchObject({ code: 'cancelled' });

    pressCancel(alice, generating);
    const generatingEnd = await cancelledMessage(generating.message);
    expect(buttonIds(generatingEnd)).toEqual([]);
    expect(await quotaOf(discord, alice)).toContain('**Credits left today:** 10 credits');

    // The provider finishes the cancelled task after all: nothing is posted for it.
    xenodia.steerTask(taskId, 'succeeded');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await test.runner.runner.whenIdle();
    expect(discord.messages.inChannel(discord.world.channelId).filter((message) => message.attachments.length > 0)).toEqual([]);
    expect(discord.messages.get(generating.message.id)?.content).toBe(generatingEnd.content);
    expect((await current(generating.jobId)).state).toBe('failed');
    // The queued job never reached the provider.
    expect(createCalls(xenodia)).toHaveLength(1);

    const jobs = await privateAnswer(discord, discord.slashCommand({ user: alice, name: 'jobs' }));
    expect(jobs.content.split('\n').filter((line) => line.includes('🚫 cancelled'))).toHaveLength(2);
    expect(jobs.content).not.toContain('failed');
  });

  it("refuses someone else's Cancel privately, lets a server manager cancel, and says when it is too late", async () => {
    const { discord } = test;
    const alice = discord.addUser('alice2');
    const pending = await pendingJob(alice, 'a third fox');
    await atProvider(pending.jobId);

    const bob = discord.addUser('bob');
    const refused = pressCancel(bob, pending);
    expect((await privateFollowUp(discord, refused)).content).toBe('Only the person who asked or a server admin can cancel this.');
    expect((await current(pending.jobId)).state).toBe('submitted');
    expect(cancelIdOf(discord.messages.get(pending.message.id))).toBeDefined();

    const carol = discord.addUser('carol');
    pressCancel(carol, pending, true);
    const ended = await cancelledMessage(pending.message);
    expect(ended.content).toContain(`🚫 Cancelled by <@${carol.id}> — 1 credit refunded.`);
    expect(await quotaOf(discord, alice)).toContain('**Credits left today:** 10 credits');

    // A second press (a client still showing the old button) is told the job is over.
    const late = pressCancel(alice, pending);
    expect((await privateFollowUp(discord, late)).content).toBe('This job has already finished, so it can no longer be cancelled.');
  });

  it('offers Cancel only while pending: a delivered result has Reroll, Remix and 4K, and no Cancel', async () => {
    const { discord, xenodia } = test;
    xenodia.holdNewTasks(false);
    try {
      const dave = discord.addUser('dave');
      const result = await finalReply(discord, discord.slashCommand({ user: dave, name: 'imagine', options: { prompt: 'a quick fox' } }));
      const ids = buttonIds(result);
      expect(ids.map((id) => id.split(':')[1])).toEqual(['reroll', 'remix', 'upscale']);
      // The pending message it replaced carried Cancel.
      const shown = discord.callsFor(discord.interactions.all().at(-1) as FakeInteraction)
        .filter((call) => call.method === 'PATCH')
        .flatMap((call) => buttonIds({ components: (call.body?.['components'] as unknown[] | undefined) ?? [] }));
      expect(shown.some((id) => id.startsWith('ni1:cancel:'))).toBe(true);
    } finally {
      xenodia.holdNewTasks(true);
    }
  });
});
