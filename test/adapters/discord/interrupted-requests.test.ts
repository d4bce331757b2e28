// Persist, then acknowledge: a request recorded before its "thinking…" reply is ended after a crash, and forgotten otherwise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeInteraction, FakeMessage, FakeUser } from '../../fakes/discord/fake-discord.ts';
import { attachPng, createCalls, finalReply, isFinal, jobIdOf, pngOf, startDiscordTest, type DiscordTest } from './discord-test-bot.ts';

let test: DiscordTest;

beforeAll(async () => {
  test = await startDiscordTest();
});

afterAll(async () => {
  await test?.close();
});

const thinkingFlag = 128;

async function remaining(session: DiscordTest, user: FakeUser): Promise<number> {
  return (await session.runner.runner.balance({ platform: 'discord', userId: user.id })).remaining;
}

async function intakeKeys(session: DiscordTest): Promise<string[]> {
  return (await session.runner.store.listIntakes()).map((intake) => intake.dedupeKey);
}

/** Waits until every recorded request has been forgotten (the handler releases after its last answer). */
function noIntakeLeft(session: DiscordTest): Promise<true> {
  return session.discord.waitFor('no intake left', async () => (await intakeKeys(session)).length === 0);
}

/** Runs /imagine with a PNG whose download the fake CDN holds, and waits until the bot is downloading it. */
async function imagineStuckInDownload(session: DiscordTest, user: FakeUser, prompt: string) {
  const { attachment } = await attachPng(session.discord, `${user.username}.png`, [10, 120, 200]);
  const held = session.discord.holdDownloads(attachment);
  const interaction = session.discord.slashCommand({ user, name: 'imagine', options: { prompt, image: attachment } });
  await session.discord.waitFor('the bot to download the attachment', () => held.requests > 0);
  return { interaction, held };
}

/** The bot's status message answering the user's `reply`. */
function statusAnswering(session: DiscordTest, reply: FakeMessage): Promise<FakeMessage> {
  return session.discord.waitFor('the bot’s status message', () =>
    session.discord.messages.inChannel(reply.channel_id).find((message) =>
      (message['message_reference'] as { message_id?: string } | undefined)?.message_id === reply.id));
}

describe('a restart between the acknowledgement and the job', () => {
  it('ends each pending reply with the interrupted text, starts nothing and charges nothing', async () => {
    const session = await startDiscordTest();
    try {
      const { discord, xenodia } = session;
      const uma = discord.addUser('uma');
      const victor = discord.addUser('victor');
      const wendy = discord.addUser('wendy');
      const prompt = `@everyone a fox in the snow with <@${victor.id}>`;

      // The token still works after the restart: the reply is edited through it.
      const live = await imagineStuckInDownload(session, uma, prompt);
      // As if the bot had been down 15 minutes: the reply is found and edited through the channel.
      const expired = await imagineStuckInDownload(session, victor, 'a harbour at night');
      // Reply-to-remix: the status message it posted is what gets ended.
      const result = await finalReply(discord, discord.slashCommand({ user: wendy, name: 'imagine', options: { prompt: 'a clay pot' } }));
      const creditsAfterResult = (await remaining(session, wendy));
      const resultImage = result.attachments[0];
      if (!resultImage) throw new Error('the result has no image');
      const heldResult = discord.holdDownloads(resultImage);
      const remixReply = discord.postMessage({ author: wendy, replyTo: result, content: 'glaze it blue' });
      await discord.waitFor('the bot to download the result', () => heldResult.requests > 0);
      const remixStatus = await statusAnswering(session, remixReply);

      const pending: Array<[FakeInteraction, string]> = [[live.interaction, prompt], [expired.interaction, 'a harbour at night']];
      for (const [interaction] of pending) expect(discord.originalMessage(interaction)?.flags ?? 0).toBe(thinkingFlag);
      expect((await intakeKeys(session)).sort()).toEqual([
        `discord:interaction:${live.interaction.id}`,
        `discord:interaction:${expired.interaction.id}`,
        `discord:message:${remixReply.id}`,
      ].sort());
      const createsBefore = createCalls(xenodia).length;

      expired.interaction.expired = true;
      // The old process never gets its downloads back: they stay held until the fake closes.
      await session.restart();

      for (const [interaction, asked] of pending) {
        const reply = discord.originalMessage(interaction);
        expect(reply?.content).toBe(`❌ The bot restarted before your request for “${asked}” started. Nothing was charged — please try again.`);
        expect((reply?.flags ?? 0) & thinkingFlag).toBe(0);
        expect(await session.runner.store.getByDedupeKey(`discord:interaction:${interaction.id}`)).toBeUndefined();
      }
      expect(discord.messages.get(remixStatus.id)?.content).toContain('“glaze it blue”');
      expect(await session.runner.store.getByDedupeKey(`discord:message:${remixReply.id}`)).toBeUndefined();

      // The echoed prompt pinged no one.
      const liveReply = discord.originalMessage(live.interaction);
      expect(liveReply?.mention_everyone).toBe(false);
      expect(liveReply?.mentions).toEqual([]);
      // The expired token was refused, so the bot token edited the same reply in the channel.
      const expiredReplyId = expired.interaction.originalMessageId;
      const channelEdit = discord.calls.find((call) => call.method === 'PATCH' && call.path.endsWith(`/messages/${expiredReplyId}`));
      expect(channelEdit?.botAuth).toBe(true);
      expect((channelEdit?.body?.['allowed_mentions'] as { parse?: unknown }).parse).toEqual([]);

      expect((await intakeKeys(session))).toEqual([]);
      expect(createCalls(xenodia).length).toBe(createsBefore);
      expect((await remaining(session, uma))).toBe(20);
      expect((await remaining(session, victor))).toBe(20);
      expect((await remaining(session, wendy))).toBe(creditsAfterResult);
    } finally {
      await session.close();
    }
  });
});

describe('requests that end without a crash leave no intake', () => {
  it('a normal /imagine: recorded while its attachment downloads, forgotten once it is a job', async () => {
    const { discord } = test;
    const xavier = discord.addUser('xavier');
    const { interaction, held } = await imagineStuckInDownload(test, xavier, 'a slow balloon');
    expect((await intakeKeys(test))).toEqual([`discord:interaction:${interaction.id}`]);
    held.release();
    const reply = await finalReply(discord, interaction);
    expect(reply.attachments).toHaveLength(1);
    await noIntakeLeft(test);
    expect((await test.runner.store.getByDedupeKey(`discord:interaction:${interaction.id}`))?.id).toBe(jobIdOf(reply));
  });

  it('a /imagine refused by the adapter (non-image attachment) is forgotten with nothing charged', async () => {
    const { discord } = test;
    const yara = discord.addUser('yara');
    const pdf = discord.upload({ filename: 'plan.pdf', data: new TextEncoder().encode('%PDF-1.7\n1 0 obj'), contentType: 'application/pdf' });
    const reply = await finalReply(discord, discord.slashCommand({ user: yara, name: 'imagine', options: { prompt: 'draw my plan', image: pdf } }));
    expect(reply.content).toContain('not an image');
    await noIntakeLeft(test);
    expect((await remaining(test, yara))).toBe(20);
  });

  it('a failed download, a Reroll and a reply-to-remix are forgotten too', async () => {
    const { discord } = test;
    const zoe = discord.addUser('zoe');
    const missing = discord.upload({ filename: 'gone.png', data: await pngOf(1, 2, 3), contentType: 'image/png' });
    const brokenUrl = { ...missing, url: `${missing.url}-deleted`, proxy_url: `${missing.url}-deleted` };
    const failed = await finalReply(discord, discord.slashCommand({ user: zoe, name: 'imagine', options: { prompt: 'x', image: brokenUrl } }));
    expect(failed.content).toContain('gone.png');
    await noIntakeLeft(test);

    const original = await finalReply(discord, discord.slashCommand({ user: zoe, name: 'imagine', options: { prompt: 'a teapot' } }));
    await finalReply(discord, discord.clickButton({ user: zoe, message: original, customId: `ni1:reroll:${jobIdOf(original)}` }));
    await noIntakeLeft(test);

    const remixReply = discord.postMessage({ author: zoe, replyTo: original, content: 'make it gold' });
    await discord.waitFor('the remix result', () => {
      const status = discord.messages.inChannel(remixReply.channel_id).find((message) =>
        (message['message_reference'] as { message_id?: string } | undefined)?.message_id === remixReply.id);
      return isFinal(status) ? status : undefined;
    }, 15_000);
    await noIntakeLeft(test);
  });
});
