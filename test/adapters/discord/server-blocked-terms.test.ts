// Discord end to end: a server's own blocked terms, managed with /imagine-admin block, refuse prompts privately before any charge or provider call; the moderation log shows it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUser } from '../../fakes/discord/fake-discord.ts';
import { createCalls, finalReply, privateAnswer, startDiscordTest, type DiscordTest } from './discord-test-bot.ts';

let test: DiscordTest;
let ada: FakeUser;

beforeAll(async () => {
  test = await startDiscordTest({ environment: { QUOTA_DAILY_CREDITS: '3' } });
  // A server manager (Manage Server), not in ADMIN_USER_IDS.
  ada = test.discord.addUser('ada');
});

afterAll(async () => {
  await test?.close();
});

/** Runs `/imagine-admin block <subcommand>` and returns the private answer's text. */
async function block(subcommand: 'add' | 'remove' | 'list', options: { term?: string; user?: FakeUser; manager?: boolean } = {}): Promise<string> {
  const interaction = test.discord.slashCommand({
    user: options.user ?? ada, name: 'imagine-admin', subcommandGroup: 'block', subcommand,
    options: options.term === undefined ? {} : { term: options.term }, manager: options.manager ?? true,
  });
  return (await privateAnswer(test.discord, interaction)).content;
}

/** Runs /imagine and returns its private refusal's text; fails if anything else was answered. */
async function refusedPrompt(user: FakeUser, prompt: string): Promise<string> {
  const interaction = test.discord.slashCommand({ user, name: 'imagine', options: { prompt } });
  const refusal = await privateAnswer(test.discord, interaction);
  expect(interaction.callbacks.map((callback) => callback.type)).toEqual([4]);
  return refusal.content;
}

/** Public messages in the channel (not ephemeral) that contain `fragment`. */
function publicMessagesWith(fragment: string) {
  const { discord } = test;
  return discord.messages.inChannel(discord.world.channelId).filter((message) => (message.flags & 64) === 0 && message.content.includes(fragment));
}

describe('a server’s blocked terms on Discord', () => {
  it('refuses a server term, its B.A.D and diacritic evasions and a /regex/ term to the requester alone: no provider call, no charge', async () => {
    const { discord, xenodia } = test;
    expect(await block('add', { term: 'bad' })).toBe('🚫 Added `bad` to this server’s blocked terms (1 in all). Prompts that use it are refused from now on.');
    expect(await block('add', { term: '/dra+gons?/' })).toContain('Added `/dra+gons?/`');

    const mallory = discord.addUser('mallory');
    for (const prompt of ['a bad dog', 'a B.A.D dog', 'a bäd dog', 'a bád dog']) {
      expect(await refusedPrompt(mallory, prompt)).toBe(
        '🚫 Your prompt was not sent: it breaks the blocked term “bad” set by this server’s admins. Nothing was charged.');
    }
    expect(await refusedPrompt(mallory, 'two draaagons at dawn')).toContain('blocked term “/dra+gons?/” set by this server’s admins');
    expect(publicMessagesWith('dog')).toEqual([]);
    expect(publicMessagesWith('draaagons')).toEqual([]);
    expect(createCalls(xenodia)).toHaveLength(0);
    expect((await test.runner.runner.balance({ platform: 'discord', userId: mallory.id })).remaining).toBe(3);

    // The moderation log has each block, for this server's admins only, with nobody pinged.
    const moderation = discord.slashCommand({ user: ada, name: 'imagine-admin', subcommand: 'moderation', manager: true });
    const log = await privateAnswer(discord, moderation);
    const lines = log.content.split('\n');
    expect(lines[0]).toBe('**Latest 5 moderation entries** in this server (newest first)');
    expect(lines[1]).toContain(`<@${mallory.id}> · <#${discord.world.channelId}> · “two draaagons at dawn” · 🚫 blocked by \`/dra+gons?/\` (this server’s list)`);
    expect(lines[5]).toContain('“a bad dog” · 🚫 blocked by `bad` (this server’s list)');
    expect(lines[5]).toMatch(/^<t:\d+:R> · /);
    expect(log.mentions).toEqual([]);
    expect((moderation.callbacks[0]?.data?.['allowed_mentions'] as { parse?: unknown }).parse).toEqual([]);
  });

  it('lets an innocent prompt that merely contains the letters through (badge)', async () => {
    const { discord, xenodia } = test;
    const olivia = discord.addUser('olivia');
    const reply = await finalReply(discord, discord.slashCommand({ user: olivia, name: 'imagine', options: { prompt: 'a shiny badge on a jacket' } }));
    expect(reply.attachments).toHaveLength(1);
    expect(createCalls(xenodia)).toHaveLength(1);
    expect((await test.runner.runner.balance({ platform: 'discord', userId: olivia.id })).remaining).toBe(2);
  });

  it('refuses a catastrophic regular expression when it is added, and changes nothing', async () => {
    const answer = await block('add', { term: '/(a+)+$/' });
    expect(answer).toMatch(/^❌ `\/\(a\+\)\+\$\/` was not added: ./);
    expect(await block('list')).not.toContain('(a+)+');
  });

  it('does not let a member without Manage Server add, remove or read the list, or read the log', async () => {
    const { discord } = test;
    const eve = discord.addUser('eve');
    const refusal = 'Only members with Manage Server (or the bot’s admins, listed in ADMIN_USER_IDS) can do this. Nothing was changed.';
    expect(await block('add', { term: 'sunflower', user: eve, manager: false })).toBe(refusal);
    expect(await block('remove', { term: 'bad', user: eve, manager: false })).toBe(refusal);
    expect(await block('list', { user: eve, manager: false })).toBe(refusal);
    const moderation = discord.slashCommand({ user: eve, name: 'imagine-admin', subcommand: 'moderation' });
    expect((await privateAnswer(discord, moderation)).content).toBe(refusal);
    expect(await block('list')).toBe(
      '**This server’s blocked terms** (2): `bad`, `/dra+gons?/`\n-# The bot operator’s own list (BLOCKED_TERMS) applies too; it is not shown here.');
  });

  it('removes a term as listed, after which the prompt goes through', async () => {
    const { discord } = test;
    expect(await block('remove', { term: 'bad' })).toBe('Removed `bad` from this server’s blocked terms (1 left).');
    expect(await block('remove', { term: 'bad' })).toContain('`bad` is not on this server’s blocked terms');
    const reply = await finalReply(discord, discord.slashCommand({ user: discord.addUser('peggy'), name: 'imagine', options: { prompt: 'a bad dog' } }));
    expect(reply.attachments).toHaveLength(1);
  });
});
