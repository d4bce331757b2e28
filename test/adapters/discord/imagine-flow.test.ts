// /imagine end to end: deferral, progress edits, the uploaded result and its buttons, no pings, expired tokens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonIds, type RecordedCall } from '../../fakes/discord/fake-discord.ts';
import { resultImageBytes } from '../../fakes/providers/index.ts';
import { attachPng, createCalls, finalReply, isFinal, jobIdOf, sameBytes, startDiscordTest, type DiscordTest } from './discord-test-bot.ts';

let test: DiscordTest;

beforeAll(async () => {
  test = await startDiscordTest();
});

afterAll(async () => {
  await test?.close();
});

function editsOf(calls: RecordedCall[]): RecordedCall[] {
  return calls.filter((call) => call.method === 'PATCH' && call.path.endsWith('/messages/@original'));
}

describe('/imagine', () => {
  it('defers within 3 s, edits progress, then posts the provider image with Reroll, Remix and 4K', async () => {
    const { discord, xenodia } = test;
    const alice = discord.addUser('alice');
    const first = await attachPng(discord, 'cat.png', [220, 40, 40]);
    const second = await attachPng(discord, 'hat.png', [40, 40, 220]);

    const interaction = discord.slashCommand({
      user: alice, name: 'imagine',
      options: { prompt: 'a cat astronaut wearing the hat', image: first.attachment, image2: second.attachment, aspect: '16:9' },
    });
    const final = await finalReply(discord, interaction);

    const calls = discord.callsFor(interaction);
    const callback = calls.find((call) => call.path.endsWith('/callback'));
    expect(callback?.body?.['type']).toBe(5);
    expect((callback?.at ?? Infinity) - interaction.dispatchedAt).toBeLessThan(3000);

    const edits = editsOf(calls);
    const progressEdits = edits.filter((call) => call.files.length === 0 && /⏳|🎨/.test(String(call.body?.['content'])));
    expect(progressEdits.length).toBeGreaterThanOrEqual(1);
    const finalEdit = edits.at(-1);
    expect(finalEdit?.files).toHaveLength(1);
    const produced = await resultImageBytes('small');
    expect(sameBytes(finalEdit?.files[0]?.data ?? new Uint8Array(), produced)).toBe(true);

    const jobId = jobIdOf(final);
    expect(buttonIds(final)).toEqual([`ni1:reroll:${jobId}`, `ni1:remix:${jobId}`, `ni1:upscale:${jobId}`]);
    expect(final.content).toContain('a cat astronaut wearing the hat');
    expect(final.content).toContain('16:9');
    expect(final.content).toContain(jobId);
    expect(final.content).toContain('19 credits left today');

    // The provider received both attachments, in order, as uploaded bytes.
    const sent = createCalls(xenodia).at(-1)?.files ?? [];
    expect(sent).toHaveLength(2);
    expect(sameBytes(sent[0]?.bytes ?? new Uint8Array(), first.data)).toBe(true);
    expect(sameBytes(sent[1]?.bytes ?? new Uint8Array(), second.data)).toBe(true);
  });

  it('echoes a prompt with @everyone and a user mention without pinging anyone', async () => {
    const { discord } = test;
    const carol = discord.addUser('carol');
    const dave = discord.addUser('dave');
    const prompt = `@everyone look at <@${dave.id}> as a pirate`;
    const interaction = discord.slashCommand({ user: carol, name: 'imagine', options: { prompt } });
    const final = await finalReply(discord, interaction);

    expect(final.content).toContain(prompt);
    const sentContent = discord.callsFor(interaction).filter((call) => typeof call.body?.['content'] === 'string');
    expect(sentContent.length).toBeGreaterThanOrEqual(2);
    for (const call of sentContent) expect((call.body?.['allowed_mentions'] as { parse?: unknown }).parse).toEqual([]);
    expect(final.mention_everyone).toBe(false);
    expect(final.mentions).toEqual([]);
  });

  it('gets the result through when Discord answers 502 to the upload once (retried by discord.js)', async () => {
    const { discord } = test;
    const fay = discord.addUser('fay');
    const interaction = discord.slashCommand({ user: fay, name: 'imagine', options: { prompt: 'a kite over dunes' } });
    discord.failNext({
      method: 'PATCH', path: new RegExp(`/webhooks/\\d+/${interaction.token}/messages/@original$`), withFiles: true,
      status: 502, body: { message: 'Bad Gateway', code: 0 },
    });
    const final = await finalReply(discord, interaction);
    expect(final.attachments).toHaveLength(1);
    const uploads = discord.callsFor(interaction).filter((call) => call.files.length > 0);
    expect(uploads.map((call) => call.status)).toEqual([502, 200]);
  });

  it('moves to the channel with the bot token when the interaction token has expired', async () => {
    const { discord } = test;
    const erin = discord.addUser('erin');
    const interaction = discord.slashCommand({ user: erin, name: 'imagine', options: { prompt: 'a lighthouse at dusk' } });
    // Expire the token once the bot has read its reply's id (as if 15 minutes had passed).
    await discord.waitFor('the bot to read its reply', () =>
      discord.callsFor(interaction).some((call) => call.method === 'GET' && call.path.endsWith('/@original')));
    interaction.expired = true;
    const statusId = interaction.originalMessageId ?? '';
    const final = await discord.waitFor('the result through the channel', () => {
      const message = discord.messages.get(statusId);
      return isFinal(message) ? message : undefined;
    });
    const channelEdit = discord.calls.find((call) =>
      call.method === 'PATCH' && call.path === `/channels/${final.channel_id}/messages/${statusId}` && call.files.length === 1);
    expect(channelEdit?.botAuth).toBe(true);
    expect((channelEdit?.body?.['allowed_mentions'] as { parse?: unknown }).parse).toEqual([]);
  });
});
