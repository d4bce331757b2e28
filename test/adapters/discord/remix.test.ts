// Reply-to-remix (with and without the MESSAGE_CONTENT intent) and the "Remix" message command with its modal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeMessage } from '../../fakes/discord/fake-discord.ts';
import { attachmentBytes, createCalls, finalReply, isFinal, pngOf, sameBytes, startDiscordTest, type DiscordTest } from './discord-test-bot.ts';

let test: DiscordTest;

beforeAll(async () => {
  test = await startDiscordTest();
});

afterAll(async () => {
  await test?.close();
});

/** The bot's status message answering `reply` (a reply to it), once it shows its final state. */
function botAnswerTo(session: DiscordTest, reply: FakeMessage, final = true): Promise<FakeMessage> {
  return session.discord.waitFor('the bot’s reply', () =>
    session.discord.messages.inChannel(reply.channel_id).find((message) => {
      const reference = message['message_reference'] as { message_id?: string } | undefined;
      return message.author.bot === true && reference?.message_id === reply.id && (!final || isFinal(message)) ? message : undefined;
    }), 15_000);
}

describe('reply-to-remix', () => {
  it('remixes a result with the reply’s text and image: the provider gets the result image, then the new one', async () => {
    const { discord, xenodia } = test;
    const judy = discord.addUser('judy');
    const result = await finalReply(discord, discord.slashCommand({ user: judy, name: 'imagine', options: { prompt: 'a quiet harbour' } }));

    // Without text the bot asks for a prompt and starts nothing.
    const extra = await pngOf(30, 160, 90);
    const textless = discord.postMessage({ author: judy, replyTo: result, files: [{ filename: 'boat.png', data: extra, contentType: 'image/png' }] });
    const ask = await botAnswerTo(test, textless, false);
    expect(ask.content).toContain('Reply with a prompt');
    const createsBefore = createCalls(xenodia).length;

    const reply = discord.postMessage({
      author: judy, replyTo: result, content: 'add this boat, at sunset',
      files: [{ filename: 'boat.png', data: extra, contentType: 'image/png' }],
    });
    const answer = await botAnswerTo(test, reply);
    expect(answer.content).toContain('add this boat, at sunset');
    expect(answer.attachments).toHaveLength(1);
    expect(answer.channel_id).toBe(result.channel_id);
    expect(createCalls(xenodia).length).toBe(createsBefore + 1);
    const sent = createCalls(xenodia).at(-1)?.files ?? [];
    expect(sent).toHaveLength(2);
    expect(sameBytes(sent[0]?.bytes ?? new Uint8Array(), attachmentBytes(discord, result))).toBe(true);
    expect(sameBytes(sent[1]?.bytes ?? new Uint8Array(), extra)).toBe(true);
  });

  it('works in a thread, and without MESSAGE_CONTENT only when the reply mentions the bot', async () => {
    const session = await startDiscordTest({ discord: { messageContentAllowed: false } });
    try {
      const { discord } = session;
      expect(session.bot.messageContent).toBe(false);
      const kim = discord.addUser('kim');
      const result = await finalReply(discord, discord.slashCommand({
        user: kim, name: 'imagine', channelId: discord.world.threadId, options: { prompt: 'a tiny robot' },
      }));
      expect(result.channel_id).toBe(discord.world.threadId);

      const unaddressed = discord.postMessage({ author: kim, replyTo: result, content: 'make it green' });
      const addressed = discord.postMessage({ author: kim, replyTo: result, content: `<@${discord.world.botUser.id}> make it green` });
      const answer = await botAnswerTo(session, addressed);
      expect(answer.channel_id).toBe(discord.world.threadId);
      expect(answer.content).toContain('make it green');
      expect(answer.content).not.toContain(`<@${discord.world.botUser.id}>`);
      const answersToUnaddressed = discord.messages.inChannel(discord.world.threadId)
        .filter((message) => (message['message_reference'] as { message_id?: string } | undefined)?.message_id === unaddressed.id);
      expect(answersToUnaddressed).toHaveLength(0);
    } finally {
      await session.close();
    }
  });
});

describe('the Remix message command', () => {
  it('opens a modal for any message with images and runs the prompt with those images', async () => {
    const { discord, xenodia } = test;
    const liam = discord.addUser('liam');
    const sketch = await pngOf(250, 250, 20);
    const target = discord.postMessage({ author: liam, content: 'my sketch', files: [{ filename: 'sketch.png', data: sketch, contentType: 'image/png' }] });

    const opened = discord.messageCommand({ user: liam, name: 'Remix', target });
    await discord.waitFor('the modal', () => opened.modal);
    expect(opened.callbacks[0]?.type).toBe(9);
    const submitted = discord.submitModal({ user: liam, opened, fields: { prompt: 'turn the sketch into an oil painting' } });
    const reply = await finalReply(discord, submitted);
    expect(reply.content).toContain('turn the sketch into an oil painting');
    const sent = createCalls(xenodia).at(-1)?.files ?? [];
    expect(sent).toHaveLength(1);
    expect(sameBytes(sent[0]?.bytes ?? new Uint8Array(), sketch)).toBe(true);
  });
});
