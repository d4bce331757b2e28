// What a Discord user reads while their job waits: their own limit, or the provider's, with their place in line.
import { afterEach, describe, expect, it } from 'vitest';
import { finalReply, startDiscordTest, type DiscordTest } from './discord-test-bot.ts';

let test: DiscordTest | undefined;

afterEach(async () => {
  await test?.close();
  test = undefined;
});

/** Every text the interaction's reply showed, in order. */
function shownTexts(current: DiscordTest, interaction: Parameters<DiscordTest['discord']['callsFor']>[0]): string[] {
  return current.discord
    .callsFor(interaction)
    .filter((call) => call.method === 'PATCH' && call.path.endsWith('/messages/@original'))
    .map((call) => String(call.body?.['content'] ?? ''));
}

describe('queued jobs on Discord', () => {
  it('tells a user beyond MAX_JOBS_PER_USER that they are queued behind their own images', async () => {
    test = await startDiscordTest({ xenodia: { latencyMs: 1200 }, environment: { MAX_JOBS_PER_USER: '1' } });
    const { discord } = test;
    const alice = discord.addUser('alice');
    const first = discord.slashCommand({ user: alice, name: 'imagine', options: { prompt: 'first banana' } });
    await discord.waitFor('the first job to start', () => shownTexts(test as DiscordTest, first).length > 0 || undefined);
    const second = discord.slashCommand({ user: alice, name: 'imagine', options: { prompt: 'second banana' } });
    await Promise.all([finalReply(discord, first), finalReply(discord, second)]);
    expect(shownTexts(test, second)).toContainEqual(expect.stringContaining('Queued — #1 in line (you already have images in progress)'));
    expect(shownTexts(test, first).join('\n')).not.toContain('Queued');
  });

  it('tells users beyond PROVIDER_MAX_IN_FLIGHT that the image service is busy', async () => {
    test = await startDiscordTest({ xenodia: { latencyMs: 1200 }, environment: { PROVIDER_MAX_IN_FLIGHT: '1' } });
    const { discord } = test;
    const first = discord.slashCommand({ user: discord.addUser('alice'), name: 'imagine', options: { prompt: 'first banana' } });
    await discord.waitFor('the first job to start', () => shownTexts(test as DiscordTest, first).length > 0 || undefined);
    const second = discord.slashCommand({ user: discord.addUser('bob'), name: 'imagine', options: { prompt: 'second banana' } });
    const final = await finalReply(discord, second);
    expect(shownTexts(test, second)).toContainEqual(expect.stringContaining('Queued — #1 in line (the image service is busy)'));
    expect(final.attachments).toHaveLength(1);
  });
});
