// /jobs end to end: the asker's own jobs, newest first, privately, with a link to each posted image.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeInteraction } from '../../fakes/discord/fake-discord.ts';
import { finalReply, jobIdOf, startDiscordTest, type DiscordTest } from './discord-test-bot.ts';

let test: DiscordTest;

beforeAll(async () => {
  test = await startDiscordTest();
});

afterAll(async () => {
  await test?.close();
});

/** The `/jobs` answer, checked to be ephemeral and unable to ping anyone. */
async function privateAnswer(interaction: FakeInteraction): Promise<string> {
  const callback = await test.discord.waitFor('the /jobs answer', () => interaction.callbacks[0]);
  expect(callback.type).toBe(4);
  expect(Number(callback.data?.['flags'] ?? 0) & 64).toBe(64);
  expect((callback.data?.['allowed_mentions'] as { parse?: unknown }).parse).toEqual([]);
  return String(callback.data?.['content']);
}

describe('/jobs', () => {
  it('lists a delivered and a failed job, newest first, with a link to the posted image and nobody else’s jobs', async () => {
    const { discord, xenodia } = test;
    const olga = discord.addUser('olga');
    const others = await finalReply(discord, discord.slashCommand({ user: olga, name: 'imagine', options: { prompt: 'olga’s secret lighthouse' } }));
    const otherJobId = jobIdOf(others);

    const walt = discord.addUser('walt');
    const delivered = await finalReply(discord, discord.slashCommand({ user: walt, name: 'imagine', options: { prompt: 'a fox in **snow** @everyone' } }));
    const deliveredJobId = jobIdOf(delivered);
    xenodia.setFault('taskFails', { message: 'upstream image generation failed', times: 1 });
    const failed = await finalReply(discord, discord.slashCommand({ user: walt, name: 'imagine', options: { prompt: 'a broken clock' } }));
    expect(failed.content).toContain('❌');

    const answer = await privateAnswer(discord.slashCommand({ user: walt, name: 'jobs' }));
    const lines = answer.split('\n');
    expect(lines[0]).toContain('Your last 2 jobs');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('❌ failed (provider failed)');
    expect(lines[1]).toContain('a broken clock');
    expect(lines[1]).not.toContain('discord.com/channels');
    expect(lines[2]).toContain(`\`${deliveredJobId.slice(0, 8)}\``);
    expect(lines[2]).toContain('✅ delivered');
    expect(lines[2]).toContain('a fox in \\*\\*snow\\*\\* @everyone');
    expect(lines[2]).toMatch(/<t:\d+:R>/);
    expect(lines[2]).toContain(`https://discord.com/channels/${discord.world.guildId}/${discord.world.channelId}/${delivered.id}`);
    expect(answer).not.toContain(otherJobId.slice(0, 8));
    expect(answer).not.toContain('lighthouse');
    expect(answer).not.toContain(olga.id);
  });

  it('answers a user without jobs with a friendly line', async () => {
    const newcomer = test.discord.addUser('newcomer');
    expect(await privateAnswer(test.discord.slashCommand({ user: newcomer, name: 'jobs' }))).toContain('You have no images yet');
  });
});
