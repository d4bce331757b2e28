// Discord end to end: a prompt breaking the operator's BLOCKED_TERMS is refused to the requester alone, before any provider call or charge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeInteraction, FakeMessage } from '../../fakes/discord/fake-discord.ts';
import { createCalls, finalReply, privateAnswer, startDiscordTest, type DiscordTest } from './discord-test-bot.ts';

let test: DiscordTest;

beforeAll(async () => {
  test = await startDiscordTest({ environment: { BLOCKED_TERMS: 'bad, @everyone', QUOTA_DAILY_CREDITS: '3' } });
});

afterAll(async () => {
  await test?.close();
});

/** The refusal of `interaction`: its first and only answer, ephemeral (screened before anything public was posted). */
async function privateRefusalOf(interaction: FakeInteraction, rule: string): Promise<FakeMessage> {
  const refusal = await privateAnswer(test.discord, interaction);
  expect(refusal.content).toContain(`blocked term “${rule}”`);
  expect(interaction.callbacks.map((callback) => callback.type)).toEqual([4]);
  return refusal;
}

describe('Discord blocked terms', () => {
  it('refuses an operator term and its B.A.D evasion to the requester alone: no provider call, no charge', async () => {
    const { discord, xenodia } = test;
    const mallory = discord.addUser('mallory');
    for (const prompt of ['a bad dog', 'a B.A.D dog']) {
      const interaction = discord.slashCommand({ user: mallory, name: 'imagine', options: { prompt } });
      const refusal = await privateRefusalOf(interaction, 'bad');
      expect(refusal.content).toBe('🚫 Your prompt was not sent: it breaks the blocked term “bad” set by this bot’s operator. Nothing was charged.');
      // Nothing public is left that names the prompt or the rule.
      expect(discord.messages.inChannel(discord.world.channelId).filter((message) => (message.flags & 64) === 0 && message.content.includes('dog'))).toEqual([]);
      discord.messages.delete(refusal.id);
    }
    expect(createCalls(xenodia)).toHaveLength(0);
    expect((await test.runner.runner.balance({ platform: 'discord', userId: mallory.id })).remaining).toBe(3);
  });

  it('echoes a rule that looks like a mention without pinging anyone', async () => {
    const { discord } = test;
    const interaction = discord.slashCommand({ user: discord.addUser('niaj'), name: 'imagine', options: { prompt: 'hello @everyone' } });
    const refusal = await privateRefusalOf(interaction, '@everyone');
    expect(refusal.content).toContain('“@everyone”');
    // Sent with mentions off, Discord resolves none: nobody is pinged.
    expect(refusal.mention_everyone).toBe(false);
    expect(refusal.mentions).toEqual([]);
  });

  it('lets an innocent prompt that merely contains the letters through (badge)', async () => {
    const { discord, xenodia } = test;
    const olivia = discord.addUser('olivia');
    const interaction = discord.slashCommand({ user: olivia, name: 'imagine', options: { prompt: 'a shiny badge' } });
    const reply = await finalReply(discord, interaction);
    expect(reply.attachments).toHaveLength(1);
    expect(createCalls(xenodia)).toHaveLength(1);
    expect((await test.runner.runner.balance({ platform: 'discord', userId: olivia.id })).remaining).toBe(2);
  });
});
