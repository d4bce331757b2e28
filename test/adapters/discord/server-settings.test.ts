// Discord end to end: /imagine-settings defaults, allowed channels and role credits, changed by a server manager and applied to requests; others change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addChannel, addRole, giveRoles } from '../../fakes/discord/community-fixtures.ts';
import type { FakeChannel, FakeUser } from '../../fakes/discord/fake-discord.ts';
import type { OptionValue } from '../../fakes/discord/interaction-payloads.ts';
import { createCalls, finalReply, privateAnswer, quotaOf, startDiscordTest, type DiscordTest } from './discord-test-bot.ts';

let test: DiscordTest;
/** A server manager (Manage Server), not in ADMIN_USER_IDS. */
let ada: FakeUser;

beforeAll(async () => {
  test = await startDiscordTest({ environment: { QUOTA_DAILY_CREDITS: '1' } });
  ada = test.discord.addUser('ada');
});

afterAll(async () => {
  await test?.close();
});

/** Runs `/imagine-settings <subcommand>` and returns the private answer's text. */
async function settings(
  subcommand: string,
  options: Record<string, OptionValue> = {},
  as: { user?: FakeUser; manager?: boolean; group?: string } = {},
): Promise<string> {
  const interaction = test.discord.slashCommand({
    user: as.user ?? ada, name: 'imagine-settings', subcommand, options, manager: as.manager ?? true,
    ...(as.group === undefined ? {} : { subcommandGroup: as.group }),
  });
  return (await privateAnswer(test.discord, interaction)).content;
}

/** The last create call's scalar field, whether it was sent as JSON or multipart. */
function lastCreateField(name: string): unknown {
  const call = createCalls(test.xenodia).at(-1);
  return (call?.json as Record<string, unknown> | undefined)?.[name] ?? call?.fields[name]?.[0];
}

async function imagine(user: FakeUser, options: Record<string, OptionValue>, channelId?: string) {
  return finalReply(test.discord, test.discord.slashCommand({ user, name: 'imagine', options, ...(channelId === undefined ? {} : { channelId }) }));
}

async function announcedChannel(name: string): Promise<FakeChannel> {
  const channel = addChannel(test.discord, name);
  await test.discord.waitFor('the channel in the bot’s cache', () => test.bot.client.channels.cache.has(channel.id) || undefined);
  return channel;
}

describe('/imagine-settings on Discord', () => {
  it('does not let a member without Manage Server change or read settings', async () => {
    const eve = test.discord.addUser('eve');
    const refusal = 'Only members with Manage Server (or the bot’s admins, listed in ADMIN_USER_IDS) can do this. Nothing was changed.';
    expect(await settings('credits', { daily: 50 }, { user: eve, manager: false })).toBe(refusal);
    expect(await settings('defaults', { aspect: '16:9' }, { user: eve, manager: false })).toBe(refusal);
    expect(await settings('show', {}, { user: eve, manager: false })).toBe(refusal);
    expect(await test.runner.runner.settingsChanges(`discord:${test.discord.world.guildId}`)).toEqual([]);
  });

  it('applies the server’s default aspect ratio and resolution to requests that choose none; a request’s own options win', async () => {
    expect(await settings('defaults', { aspect: '16:9', resolution: '2K' })).toBe(
      '✅ Set default aspect ratio to 16:9.\n✅ Set default resolution to 2K.');
    const wide = await imagine(test.discord.addUser('walt'), { prompt: 'a wide valley' });
    expect(lastCreateField('aspect_ratio')).toBe('16:9');
    expect(lastCreateField('resolution')).toBe('2K');
    expect(wide.content).toContain('16:9 · 2K');

    const square = await imagine(test.discord.addUser('sam'), { prompt: 'a square tile', aspect: '1:1', resolution: '1K' });
    expect(lastCreateField('aspect_ratio')).toBe('1:1');
    expect(lastCreateField('resolution')).toBe('1K');
    expect(square.content).toContain('1:1 · 1K');

    const shown = await settings('show');
    expect(shown).toContain('**Default aspect ratio:** 16:9 *(server)*');
    expect(shown).toContain('**Default resolution:** 2K *(server)*');
    expect(shown).toContain('**Default image service:** Xenodia *(default)*');
    expect(shown).toContain('**Daily credits per member:** 1 *(default)*');
    expect(shown).toContain('**Allowed channels:** everywhere *(default)*');
    expect(shown).toMatch(new RegExp(`<t:\\d+:R> <@${ada.id}> set default resolution to 2K`));

    expect(await settings('defaults', { clear: 'all' })).toContain('Cleared default aspect ratio (the default applies)');
    await imagine(test.discord.addUser('tess'), { prompt: 'back to normal' });
    expect(lastCreateField('aspect_ratio')).toBeUndefined();
    expect(lastCreateField('resolution')).toBe('1K');
  });

  it('answers only the user, listing where the bot may be used, in a channel the server did not allow; a thread counts as its parent', async () => {
    const { discord, xenodia } = test;
    const art = await announcedChannel('art');
    expect(await settings('add', { channel: art }, { group: 'channel' })).toBe(`✅ Allowed the bot in <#${art.id}>.`);

    const before = createCalls(xenodia).length;
    const publicBefore = discord.messages.inChannel(discord.world.channelId).filter((message) => (message.flags & 64) === 0).length;
    const ursula = discord.addUser('ursula');
    const refused = discord.slashCommand({ user: ursula, name: 'imagine', options: { prompt: 'a red barn' } });
    const answer = await privateAnswer(discord, refused);
    expect(answer.content).toBe(`🚫 The image bot is not used in this channel. This server’s admins allow it in: <#${art.id}>. Nothing was charged.`);
    expect(refused.callbacks.map((callback) => callback.type)).toEqual([4]);
    expect(discord.messages.inChannel(discord.world.channelId).filter((message) => (message.flags & 64) === 0)).toHaveLength(publicBefore);
    expect(createCalls(xenodia)).toHaveLength(before);
    expect((await test.runner.runner.balance({ platform: 'discord', userId: ursula.id })).remaining).toBe(1);
    // The thread's parent is not allowed either.
    const inThread = discord.slashCommand({ user: ursula, name: 'imagine', options: { prompt: 'a red barn' }, channelId: discord.world.threadId });
    expect((await privateAnswer(discord, inThread)).content).toContain('not used in this channel');

    const made = await imagine(ursula, { prompt: 'a red barn' }, art.id);
    expect(made.channel_id).toBe(art.id);
    expect(made.attachments).toHaveLength(1);

    // Allowing the parent channel allows its thread.
    await settings('add', { channel: { ...discord.world.channel(discord.world.channelId) } as FakeChannel }, { group: 'channel' });
    const threaded = await imagine(discord.addUser('victor'), { prompt: 'a blue barn' }, discord.world.threadId);
    expect(threaded.attachments).toHaveLength(1);
    expect(await settings('show')).toContain(`**Allowed channels:** <#${art.id}>, <#${discord.world.channelId}> *(server)*`);

    expect(await settings('clear', {}, { group: 'channel' })).toBe(
      `✅ Removed <#${art.id}> from the allowed channels.\n✅ Removed <#${discord.world.channelId}> from the allowed channels.`);
    expect(await settings('clear', {}, { group: 'channel' })).toBe('The bot is already allowed in every channel.');
  });

  it('gives members of a role their own daily credits (more than DAILY_CREDITS)', async () => {
    const { discord } = test;
    const booster = addRole(discord, 'Booster');
    await discord.waitFor('the role in the bot’s cache', () => test.bot.client.guilds.cache.get(discord.world.guildId)?.roles.cache.has(booster.id) || undefined);
    expect(await settings('role-credits', { role: booster, credits: 5 })).toBe(`✅ Gave <@&${booster.id}> 5 credits a day.`);

    const boosted = discord.addUser('bea');
    giveRoles(discord, boosted, [booster]);
    for (const prompt of ['first', 'second', 'third']) {
      expect((await imagine(boosted, { prompt: `${prompt} star` })).attachments).toHaveLength(1);
    }
    expect(await quotaOf(discord, boosted)).toContain('**Daily allowance:** 5 credits');

    const plain = discord.addUser('pat');
    expect((await imagine(plain, { prompt: 'first moon' })).attachments).toHaveLength(1);
    const refused = await imagine(plain, { prompt: 'second moon' });
    expect(refused.content).toContain('❌');
    expect(refused.attachments).toHaveLength(0);

    expect(await settings('show')).toContain(`**Daily credits per role:** <@&${booster.id}> 5 credits`);
    expect(await settings('role-credits', { role: booster, remove: true })).toBe(`✅ Cleared the daily credits of <@&${booster.id}>.`);
  });
});
