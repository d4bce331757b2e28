// `kill -9` right after the acknowledgement: a real bot process is killed once Discord has its deferral, restarted, and the image is posted once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sniffImageType } from '../../../src/core/image-type.ts';
import { FakeDiscord, type FakeInteraction, type FakeMessage } from '../../fakes/discord/fake-discord.ts';
import { startBotProcess, type BotProcess } from '../../support/bot-process.ts';
import { attachPng, attachmentBytes, finalReply, jobIdOf, quotaOf } from './discord-test-bot.ts';

/** What each test started, undone in reverse even when it failed. */
const cleanups: Array<() => Promise<unknown> | unknown> = [];

afterEach(async () => {
  const failures: unknown[] = [];
  for (const cleanup of cleanups.splice(0).reverse()) {
    await Promise.resolve().then(cleanup).catch((error: unknown) => failures.push(error));
  }
  if (failures.length > 0) throw failures[0];
});

/** A fake Discord and a database folder that bot processes share across a restart. */
async function startWorld(): Promise<{ discord: FakeDiscord; startBot(name: string): Promise<BotProcess> }> {
  const discord = await FakeDiscord.start();
  cleanups.push(() => discord.close());
  const directory = mkdtempSync(join(tmpdir(), 'nano-kill-ack-'));
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  const env = {
    DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl, DATABASE_PATH: join(directory, 'bot.db'),
    PROVIDER: 'mock', MOCK_DELAY_MS: '200',
    // A dead process's intake can be taken over 2 s after its last renewal.
    JOB_LEASE_SECONDS: '2', HEALTH_PORT: '0', LOG_LEVEL: 'info',
  };
  return {
    discord,
    async startBot(name) {
      const bot = await startBotProcess({ name, env, cwd: directory });
      cleanups.push(() => bot.kill());
      return bot;
    },
  };
}

/** Holds Discord's answers to interaction callbacks: the deferral takes effect ("thinking…" shows) but the bot never hears back. */
function holdDeferrals(discord: FakeDiscord) {
  return discord.holdAnswers({ method: 'POST', path: /^\/interactions\/\d+\/[^/]+\/callback$/ });
}

/** Waits until Discord has `interaction`'s deferral: the reply exists and shows "thinking…". */
async function deferred(discord: FakeDiscord, interaction: FakeInteraction): Promise<void> {
  await discord.waitFor('the deferral', () => interaction.callbacks[0]?.type === 5 && discord.originalMessage(interaction) !== undefined);
}

/** Every accepted upload of `jobId`'s image (through a token or the channel). */
function uploadsOf(discord: FakeDiscord, jobId: string) {
  return discord.calls.filter((call) => call.files.length > 0 && call.status < 300 && String(call.body?.['content'] ?? '').includes(jobId));
}

/** Checks the request ended with one PNG on its original reply, acknowledged once, the image uploaded once. */
async function expectPostedOnce(discord: FakeDiscord, interaction: FakeInteraction, prompt: string): Promise<FakeMessage> {
  const reply = await finalReply(discord, interaction, 30_000);
  expect(reply.content).toContain(prompt);
  expect(reply.content).not.toContain('❌');
  expect(sniffImageType(attachmentBytes(discord, reply))).toBe('image/png');
  expect(interaction.callbacks).toHaveLength(1);
  // A second delivery (a second takeover, or a second job) would come after the first: give it time to show.
  await new Promise((resolveWait) => setTimeout(resolveWait, 1_500));
  expect(uploadsOf(discord, jobIdOf(reply))).toHaveLength(1);
  expect(discord.originalMessage(interaction)?.id).toBe(reply.id);
  return reply;
}

describe('kill -9 right after the acknowledgement', () => {
  it('a text-only /imagine: the restarted bot finishes it on the deferred reply and charges one credit', async () => {
    const { discord, startBot } = await startWorld();
    const first = await startBot('first');
    const held = holdDeferrals(discord);
    const user = discord.addUser('kim');
    const interaction = discord.slashCommand({ user, name: 'imagine', options: { prompt: 'a lamp in the rain', aspect: '16:9' } });
    await deferred(discord, interaction);
    await first.kill();
    // Killed while waiting for Discord's answer to its deferral: no job was created yet.
    expect(first.logText()).not.toContain('job accepted');
    held.stopHolding();

    const second = await startBot('second');
    const reply = await expectPostedOnce(discord, interaction, 'a lamp in the rain');
    expect(reply.content).toContain('16:9');
    expect(second.logText()).toContain('finishing a request acknowledged before a restart');
    expect(await quotaOf(discord, user)).toContain('**Credits left today:** 19 credits');
    expect(await second.stop()).toBe(0);
  }, 90_000);

  it('an /imagine with an attached image: the restarted bot downloads it again, finishes it and charges one credit', async () => {
    const { discord, startBot } = await startWorld();
    const first = await startBot('first');
    const user = discord.addUser('lea');
    const { attachment } = await attachPng(discord, 'photo.png', [200, 40, 90]);
    const download = discord.holdDownloads(attachment);
    const interaction = discord.slashCommand({ user, name: 'imagine', options: { prompt: 'this photo as a mosaic', image: attachment } });
    await deferred(discord, interaction);
    await discord.waitFor('the attachment download', () => download.requests > 0);
    await first.kill();
    expect(first.logText()).not.toContain('job accepted');
    // The dead process's download stays unanswered; the next one is served.
    download.stopHolding();

    const second = await startBot('second');
    const reply = await expectPostedOnce(discord, interaction, 'this photo as a mosaic');
    expect(reply.content).toContain('1 reference image');
    expect(await quotaOf(discord, user)).toContain('**Credits left today:** 19 credits');
    expect(await second.stop()).toBe(0);
  }, 90_000);

  it('a Reroll press: the restarted bot repeats the job on the pressed button’s reply, once', async () => {
    const { discord, startBot } = await startWorld();
    const first = await startBot('first');
    const user = discord.addUser('max');
    const original = await finalReply(discord, discord.slashCommand({ user, name: 'imagine', options: { prompt: 'a glass whale' } }), 30_000);
    const held = holdDeferrals(discord);
    const pressed = discord.clickButton({ user, message: original, customId: `ni1:reroll:${jobIdOf(original)}` });
    await deferred(discord, pressed);
    await first.kill();
    held.stopHolding();

    const second = await startBot('second');
    const reply = await expectPostedOnce(discord, pressed, 'a glass whale');
    expect(jobIdOf(reply)).not.toBe(jobIdOf(original));
    expect(await quotaOf(discord, user)).toContain('**Credits left today:** 18 credits');
    expect(await second.stop()).toBe(0);
  }, 90_000);
});
