// Discord end to end: /show posts a finished job's image again from the stored copy (the provider's URL now 404s), with working buttons.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonIds, type FakeUser } from '../../fakes/discord/fake-discord.ts';
import { attachmentBytes, createCalls, finalReply, jobIdOf, privateAnswer, sameBytes, startDiscordTest, type DiscordTest } from './discord-test-bot.ts';

let test: DiscordTest;

beforeAll(async () => {
  test = await startDiscordTest();
});

afterAll(async () => {
  await test?.close();
});

function show(user: FakeUser, job: string) {
  return test.discord.slashCommand({ user, name: 'show', options: { job } });
}

describe('/show', () => {
  it('posts a delivered image again after its provider URL expired: the same bytes, a caption that pings nobody, and working buttons', async () => {
    const { discord, xenodia } = test;
    const alice = discord.addUser('alice');
    const original = await finalReply(discord, discord.slashCommand({ user: alice, name: 'imagine', options: { prompt: 'a lighthouse *at* dusk @everyone' } }));
    const jobId = jobIdOf(original);
    const bytes = attachmentBytes(discord, original);
    // From now on the provider's result URLs answer 404: only the store's copy can show the image.
    xenodia.setFault('resultNotFound');
    const downloadsBefore = xenodia.requests.filter((request) => request.path.startsWith('/files/')).length;

    const bob = discord.addUser('bob');
    const asked = show(bob, jobId);
    const shown = await finalReply(discord, asked);
    expect(asked.callbacks[0]?.type).toBe(5);
    expect((shown.flags & 64)).toBe(0);
    expect(sameBytes(attachmentBytes(discord, shown), bytes)).toBe(true);
    expect(xenodia.requests.filter((request) => request.path.startsWith('/files/')).length).toBe(downloadsBefore);
    expect(shown.content).toContain('🖼️ “a lighthouse \\*at\\* dusk @everyone”');
    expect(shown.content).toContain(`Job \`${jobId}\``);
    expect(shown.content).toContain(`shown again by <@${bob.id}>`);
    expect(shown.mentions).toEqual([]);
    expect(shown.mention_everyone).toBe(false);
    expect(buttonIds(shown)).toEqual(buttonIds(original));

    // Its Reroll makes the same request again (the provider answers normally again).
    xenodia.setFault(null);
    const before = createCalls(xenodia).length;
    const reroll = discord.clickButton({ user: bob, message: shown, customId: `ni1:reroll:${jobId}` });
    const rerolled = await finalReply(discord, reroll);
    expect(createCalls(xenodia).length).toBe(before + 1);
    expect(rerolled.attachments).toHaveLength(1);
    expect(jobIdOf(rerolled)).not.toBe(jobId);
    expect(rerolled.content).toContain('a lighthouse *at* dusk');
  });

  it('finds your own job by the short id /jobs shows', async () => {
    const { discord } = test;
    const carol = discord.addUser('carol');
    const original = await finalReply(discord, discord.slashCommand({ user: carol, name: 'imagine', options: { prompt: 'a green kite' } }));
    const shown = await finalReply(discord, show(carol, jobIdOf(original).slice(0, 8)));
    expect(sameBytes(attachmentBytes(discord, shown), attachmentBytes(discord, original))).toBe(true);
    // Someone else's short id means nothing to you.
    const other = await privateAnswer(discord, show(discord.addUser('mallory'), jobIdOf(original).slice(0, 8)));
    expect(other.content).toContain('No job with that id was found');
  });

  it('explains privately when there is nothing to show', async () => {
    const { discord, xenodia } = test;
    const dave = discord.addUser('dave');
    expect((await privateAnswer(discord, show(dave, 'no-such-job-id'))).content).toContain('No job with that id was found');

    xenodia.setFault('taskFails', { message: 'upstream image generation failed', times: 1 });
    const failed = await finalReply(discord, discord.slashCommand({ user: dave, name: 'imagine', options: { prompt: 'a broken clock' } }));
    expect(failed.content).toContain('❌');
    const [latest] = await test.runner.runner.recentJobs({ platform: 'discord', userId: dave.id });
    const failedJobId = latest?.jobId as string;
    expect((await privateAnswer(discord, show(dave, failedJobId))).content).toBe('That job failed, so it has no image to show.');
  });
});
