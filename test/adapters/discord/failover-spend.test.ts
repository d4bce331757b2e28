// Discord end to end with PROVIDER_FALLBACKS: the result names the provider that made it after a 402, and /imagine-admin spend shows the cost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeInteraction } from '../../fakes/discord/fake-discord.ts';
import { startFakeNbpCloud, type FakeProvider } from '../../fakes/providers/index.ts';
import { finalReply, jobIdOf, startDiscordTest, type DiscordTest } from './discord-test-bot.ts';

const adminId = '100000000000000077';
let nbpCloud: FakeProvider;
let test: DiscordTest;

beforeAll(async () => {
  nbpCloud = await startFakeNbpCloud({ latencyMs: 200 });
  test = await startDiscordTest({
    environment: {
      NBPCLOUD_API_KEY: nbpCloud.apiKey,
      NBPCLOUD_BASE_URL: nbpCloud.baseUrl,
      PROVIDER_FALLBACKS: 'nbp-cloud',
      PROVIDER_PRICES: 'xenodia:*=0.13',
      // Without a cool-down, Xenodia takes work again as soon as its 402 is cleared (the runner tests cover the cool-down).
      PROVIDER_COOLDOWN_SECONDS: '0',
      ADMIN_USER_IDS: `discord:${adminId}`,
    },
  });
});

afterAll(async () => {
  await test?.close();
  await nbpCloud?.close();
});

async function privateAnswer(interaction: FakeInteraction): Promise<string> {
  const callback = await test.discord.waitFor('the answer', () => interaction.callbacks[0]);
  expect(Number(callback.data?.['flags'] ?? 0) & 64).toBe(64);
  return String(callback.data?.['content']);
}

describe('Discord failover and spend', () => {
  it('answers a 402 from the default provider with the fallback’s image, naming it in the message', async () => {
    const { discord, xenodia } = test;
    xenodia.setFault('status402', { on: 'create' });
    const alice = discord.addUser('alice');
    const final = await finalReply(discord, discord.slashCommand({ user: alice, name: 'imagine', options: { prompt: 'a lighthouse at dusk' } }));
    xenodia.setFault(null);
    expect(final.attachments).toHaveLength(1);
    expect(final.content).toContain('nanobananapro.cloud instead of Xenodia · nano-banana-pro');
    const job = await test.runner.store.get(jobIdOf(final));
    expect(job?.attempts.map((attempt) => [attempt.provider, attempt.outcome])).toEqual([['xenodia', 'not_accepted'], ['nbp-cloud', 'accepted']]);

    // A provider chosen with the option stays where it was asked, and says why it failed.
    xenodia.setFault('status402', { on: 'create' });
    const named = await finalReply(discord, discord.slashCommand({ user: alice, name: 'imagine', options: { prompt: 'a lighthouse', provider: 'xenodia' } }));
    xenodia.setFault(null);
    expect(named.content).toContain('out of credit');
    expect(named.content).not.toContain('nanobananapro.cloud');
  });

  it('/imagine-admin spend shows what the images cost, by provider, to admins only', async () => {
    const { discord } = test;
    const bob = discord.addUser('bob');
    await finalReply(discord, discord.slashCommand({ user: bob, name: 'imagine', options: { prompt: 'a quiet harbour' } }));
    const refused = discord.slashCommand({ user: bob, name: 'imagine-admin', subcommand: 'spend', manager: true });
    expect(await privateAnswer(refused)).toContain('Only the bot’s admins');

    const admin = discord.addUser('admin', adminId);
    const answer = await privateAnswer(discord.slashCommand({ user: admin, name: 'imagine-admin', subcommand: 'spend', manager: true }));
    expect(answer).toContain('**Spend by provider**, all time');
    // One nbp-cloud image at its reported 20 credits; the xenodia image at the configured 0.13.
    expect(answer).toMatch(/nbp-cloud\s+1\s+20 cr\s+0\s+0/);
    expect(answer).toMatch(/xenodia\s+1\s+0\.13\s+0\s+0/);
    expect(answer).toMatch(/total\s+2\s+0\.13 \+ 20 cr/);

    const byDay = await privateAnswer(discord.slashCommand({
      user: admin, name: 'imagine-admin', subcommand: 'spend', options: { by: 'day', since: '2020-01-01' }, manager: true,
    }));
    expect(byDay).toContain('**Spend by day**, since 2020-01-01');
    expect(byDay).toContain(new Date().toISOString().slice(0, 10));
    const bad = discord.slashCommand({ user: admin, name: 'imagine-admin', subcommand: 'spend', options: { since: 'last week' }, manager: true });
    expect(await privateAnswer(bad)).toContain('is not a UTC day like 2026-11-01');
  });
});
