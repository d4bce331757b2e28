// /quota answers privately; /imagine-admin changes credits only for ADMIN_USER_IDS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeInteraction } from '../../fakes/discord/fake-discord.ts';
import { quotaOf, startDiscordTest, type DiscordTest } from './discord-test-bot.ts';

const adminId = '100000000000000001';
let test: DiscordTest;

beforeAll(async () => {
  test = await startDiscordTest({ environment: { ADMIN_USER_IDS: `discord:${adminId}` } });
});

afterAll(async () => {
  await test?.close();
});

async function privateAnswer(interaction: FakeInteraction): Promise<string> {
  const callback = await test.discord.waitFor('the answer', () => interaction.callbacks[0]);
  expect(callback.type).toBe(4);
  expect(Number(callback.data?.['flags'] ?? 0) & 64).toBe(64);
  expect((callback.data?.['allowed_mentions'] as { parse?: unknown }).parse).toEqual([]);
  return String(callback.data?.['content']);
}

describe('credits', () => {
  it('/quota shows the balance, the allowance, the reset time and the costs', async () => {
    const tina = test.discord.addUser('tina');
    const answer = await quotaOf(test.discord, tina);
    expect(answer).toContain('**Credits left today:** 20 credits');
    expect(answer).toMatch(/resets <t:\d+:R>/);
    expect(answer).toContain('4K 2 credits');
  });

  it('/imagine-admin refuses members outside ADMIN_USER_IDS, even server managers', async () => {
    const manager = test.discord.addUser('manager');
    const target = test.discord.addUser('uma');
    const attempt = test.discord.slashCommand({
      user: manager, name: 'imagine-admin', subcommand: 'grant', options: { user: target, amount: 5 }, manager: true,
    });
    expect(await privateAnswer(attempt)).toContain('Only the bot’s admins');
    expect(await quotaOf(test.discord, target)).toContain('**Credits left today:** 20 credits');
  });

  it('grant, balance and reset work for an admin and show in /quota', async () => {
    const admin = test.discord.addUser('admin', adminId);
    const victor = test.discord.addUser('victor');
    const grant = test.discord.slashCommand({ user: admin, name: 'imagine-admin', subcommand: 'grant', options: { user: victor, amount: 5 }, manager: true });
    expect(await privateAnswer(grant)).toContain('They now have 25 credits left today');
    expect(await quotaOf(test.discord, victor)).toContain('**Credits left today:** 25 credits');
    const balance = test.discord.slashCommand({ user: admin, name: 'imagine-admin', subcommand: 'balance', options: { user: victor }, manager: true });
    expect(await privateAnswer(balance)).toContain('25 credits left today');
    const reset = test.discord.slashCommand({ user: admin, name: 'imagine-admin', subcommand: 'reset', options: { user: victor }, manager: true });
    expect(await privateAnswer(reset)).toContain('They now have 20 credits left today');
  });
});
