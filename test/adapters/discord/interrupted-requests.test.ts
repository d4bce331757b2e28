// Persist, then acknowledge: a request recorded before its "thinking…" reply is finished after a restart, and forgotten when it ends without one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeDiscord, FakeInteraction, FakeMessage, FakeUser } from '../../fakes/discord/fake-discord.ts';
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
  return { interaction, held, attachment };
}

/** The bot's status message answering the user's `reply`. */
function statusAnswering(session: DiscordTest, reply: FakeMessage): Promise<FakeMessage> {
  return session.discord.waitFor('the bot’s status message', () =>
    session.discord.messages.inChannel(reply.channel_id).find((message) =>
      (message['message_reference'] as { message_id?: string } | undefined)?.message_id === reply.id));
}

/** Waits until the message `messageId` shows its final state, and returns it. */
function finalMessage(discord: FakeDiscord, messageId: string | undefined): Promise<FakeMessage> {
  return discord.waitFor('the final message', () => {
    const message = messageId === undefined ? undefined : discord.messages.get(messageId);
    return isFinal(message) ? message : undefined;
  }, 15_000);
}

/** Every accepted upload of `jobId`'s image, through a token or the channel: a result is posted once. */
function uploadsOf(discord: FakeDiscord, jobId: string) {
  return discord.calls.filter((call) => call.files.length > 0 && call.status < 300 && String(call.body?.['content'] ?? '').includes(jobId));
}

/** Opens the Remix modal of `message` (a result's button, or the message command on any message) and submits `prompt`. */
async function submitRemix(discord: FakeDiscord, user: FakeUser, opened: FakeInteraction, prompt: string): Promise<FakeInteraction> {
  await discord.waitFor('the modal', () => opened.modal);
  return discord.submitModal({ user, opened, fields: { prompt } });
}

describe('a restart between the acknowledgement and the job', () => {
  it('finishes each pending request on its original message: the image is posted once and charged once', async () => {
    const session = await startDiscordTest();
    try {
      const { discord, xenodia } = session;
      const uma = discord.addUser('uma');
      const victor = discord.addUser('victor');
      const wendy = discord.addUser('wendy');
      const prompt = `@everyone a fox in the snow with <@${victor.id}>`;

      // The token still works after the restart: the reply is answered through it.
      const live = await imagineStuckInDownload(session, uma, prompt);
      // As if the bot had been down 15 minutes: the reply is found by its interaction id and answered through the channel.
      const expired = await imagineStuckInDownload(session, victor, 'a harbour at night');
      // Reply-to-remix: the status message it posted is the one that gets the image.
      const result = await finalReply(discord, discord.slashCommand({ user: wendy, name: 'imagine', options: { prompt: 'a clay pot' } }));
      const creditsAfterResult = await remaining(session, wendy);
      const resultImage = result.attachments[0];
      if (!resultImage) throw new Error('the result has no image');
      const heldResult = discord.holdDownloads(resultImage);
      const remixReply = discord.postMessage({ author: wendy, replyTo: result, content: 'glaze it blue' });
      await discord.waitFor('the bot to download the result', () => heldResult.requests > 0);
      const remixStatus = await statusAnswering(session, remixReply);

      for (const { interaction } of [live, expired]) expect(discord.originalMessage(interaction)?.flags ?? 0).toBe(thinkingFlag);
      const keys = [`discord:interaction:${live.interaction.id}`, `discord:interaction:${expired.interaction.id}`, `discord:message:${remixReply.id}`];
      expect((await intakeKeys(session)).sort()).toEqual([...keys].sort());
      const createsBefore = createCalls(xenodia).length;

      expired.interaction.expired = true;
      // The stopped process never gets its downloads back; the process after the restart downloads again.
      for (const held of [live.held, expired.held, heldResult]) held.stopHolding();
      await session.restart();

      const liveReply = await finalReply(discord, live.interaction);
      const expiredReply = await finalMessage(discord, expired.interaction.originalMessageId);
      const remixed = await finalMessage(discord, remixStatus.id);
      for (const message of [liveReply, expiredReply, remixed]) {
        expect(message.content).not.toContain('❌');
        expect(message.attachments).toHaveLength(1);
        expect(message.flags & thinkingFlag).toBe(0);
      }
      expect(liveReply.content).toContain('a fox in the snow');
      expect(expiredReply.content).toContain('a harbour at night');
      expect(remixed.content).toContain('glaze it blue');
      // Each job carries its request's dedupe key, so a second takeover could never start it twice.
      for (const [key, message] of [[keys[0], liveReply], [keys[1], expiredReply], [keys[2], remixed]] as const) {
        expect((await session.runner.store.getByDedupeKey(key ?? ''))?.id).toBe(jobIdOf(message));
      }

      // The echoed prompt pinged no one.
      expect(liveReply.mention_everyone).toBe(false);
      expect(liveReply.mentions).toEqual([]);
      // The refused token moved the result to the bot token, editing the same reply in the channel.
      const channelUpload = discord.calls.find((call) =>
        call.method === 'PATCH' && call.path.endsWith(`/messages/${expiredReply.id}`) && call.files.length > 0);
      expect(channelUpload?.botAuth).toBe(true);
      expect((channelUpload?.body?.['allowed_mentions'] as { parse?: unknown }).parse).toEqual([]);

      // Give a second delivery the time to show, then: every image posted once, every request charged once.
      await new Promise((resolveWait) => setTimeout(resolveWait, 500));
      for (const message of [liveReply, expiredReply, remixed]) expect(uploadsOf(discord, jobIdOf(message))).toHaveLength(1);
      expect(createCalls(xenodia).length).toBe(createsBefore + 3);
      expect(await remaining(session, uma)).toBe(19);
      expect(await remaining(session, victor)).toBe(19);
      expect(await remaining(session, wendy)).toBe(creditsAfterResult - 1);
      await noIntakeLeft(session);
    } finally {
      await session.close();
    }
  });

  it('finishes a Remix modal and the Remix message command whose source image was still downloading', async () => {
    const session = await startDiscordTest();
    try {
      const { discord, xenodia } = session;
      const xena = discord.addUser('xena');
      const original = await finalReply(discord, discord.slashCommand({ user: xena, name: 'imagine', options: { prompt: 'a red kite' } }));
      const sketch = await pngOf(250, 250, 20);
      const target = discord.postMessage({ author: xena, content: 'my sketch', files: [{ filename: 'sketch.png', data: sketch, contentType: 'image/png' }] });
      const [originalImage, sketchImage] = [original.attachments[0], target.attachments[0]];
      if (!originalImage || !sketchImage) throw new Error('an image is missing');
      const heldResult = discord.holdDownloads(originalImage);
      const heldSketch = discord.holdDownloads(sketchImage);

      const fromButton = discord.clickButton({ user: xena, message: original, customId: `ni1:remix:${jobIdOf(original)}` });
      const buttonRemix = await submitRemix(discord, xena, fromButton, 'the same kite at sunset');
      const fromCommand = discord.messageCommand({ user: xena, name: 'Remix', target });
      const commandRemix = await submitRemix(discord, xena, fromCommand, 'the sketch as an oil painting');
      await discord.waitFor('both downloads', () => heldResult.requests > 0 && heldSketch.requests > 0);
      const createsBefore = createCalls(xenodia).length;
      const creditsBefore = await remaining(session, xena);

      heldResult.stopHolding();
      heldSketch.stopHolding();
      await session.restart();

      const fromResult = await finalReply(discord, buttonRemix);
      const fromSketch = await finalReply(discord, commandRemix);
      expect(fromResult.content).toContain('the same kite at sunset');
      expect(fromSketch.content).toContain('the sketch as an oil painting');
      for (const message of [fromResult, fromSketch]) {
        expect(message.attachments).toHaveLength(1);
        expect(uploadsOf(discord, jobIdOf(message))).toHaveLength(1);
      }
      // Each remix sent its source image to the provider as the reference.
      const creates = createCalls(xenodia).slice(createsBefore);
      expect(creates).toHaveLength(2);
      for (const create of creates) expect(create.files).toHaveLength(1);
      expect(await remaining(session, xena)).toBe(creditsBefore - 2);
      await noIntakeLeft(session);
    } finally {
      await session.close();
    }
  });

  it('ends a request whose attachment expired meanwhile with the reason, starting nothing and charging nothing', async () => {
    const session = await startDiscordTest();
    try {
      const { discord, xenodia } = session;
      const yusuf = discord.addUser('yusuf');
      const stuck = await imagineStuckInDownload(session, yusuf, 'a lighthouse');
      const createsBefore = createCalls(xenodia).length;
      discord.expireUpload(stuck.attachment);
      stuck.held.stopHolding();
      await session.restart();

      const reply = await finalReply(discord, stuck.interaction);
      // The same explanation as when the file is gone before a crash: which file, why, and no charge.
      expect(reply.content).toMatch(/^❌ yusuf\.png cannot be used: .*HTTP 404\. Nothing was charged\.$/);
      expect(reply.flags & thinkingFlag).toBe(0);
      expect(await session.runner.store.getByDedupeKey(`discord:interaction:${stuck.interaction.id}`)).toBeUndefined();
      expect(createCalls(xenodia).length).toBe(createsBefore);
      expect(await remaining(session, yusuf)).toBe(20);
      await noIntakeLeft(session);
    } finally {
      await session.close();
    }
  });
});

describe('requests that end without a crash leave no intake', () => {
  it('a normal /imagine: recorded with its options and attachment URL (no bytes) while it downloads, forgotten once it is a job', async () => {
    const { discord } = test;
    const xavier = discord.addUser('xavier');
    const { interaction, held, attachment } = await imagineStuckInDownload(test, xavier, 'a slow balloon');
    const intakes = await test.runner.store.listIntakes();
    expect(intakes.map((intake) => intake.dedupeKey)).toEqual([`discord:interaction:${interaction.id}`]);
    expect(intakes[0]?.payload).toEqual({
      version: 1, kind: 'imagine', requester: { platform: 'discord', userId: xavier.id, displayName: 'xavier', communityId: discord.world.guildId },
      attachments: [{ id: attachment.id, name: attachment.filename, url: attachment.url, contentType: 'image/png', size: attachment.size }],
    });
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
