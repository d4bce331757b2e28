// `npm start` as a real process against the fake Discord and fake Slack at once: main.ts's wiring delivers mock images to both.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sniffImageType } from '../src/core/image-type.ts';
import { FakeDiscord } from './fakes/discord/fake-discord.ts';
import { attachmentBytes, finalReply } from './adapters/discord/discord-test-bot.ts';
import { startFakeSlack, type FakeSlack } from './fakes/slack/fake-slack.ts';
import { startBotProcess, type BotProcess } from './support/bot-process.ts';
import { fakePlatformsEnvironment } from './support/fake-platforms-environment.ts';

let discord: FakeDiscord;
let slack: FakeSlack;
let directory: string;
let bot: BotProcess | undefined;

beforeAll(async () => {
  discord = await FakeDiscord.start();
  slack = await startFakeSlack();
  directory = mkdtempSync(join(tmpdir(), 'nano-start-'));
});

afterAll(async () => {
  await bot?.kill();
  await discord.close();
  await slack.close();
  rmSync(directory, { recursive: true, force: true });
});

it('starts Discord and Slack from the environment, answers /imagine on both with the mock, and stops on SIGTERM', async () => {
  bot = await startBotProcess({
    name: 'bot',
    cwd: directory,
    env: fakePlatformsEnvironment(discord, slack),
    readyTimeoutMs: 20_000,
  });
  const logs = bot.logText;
  expect(logs()).toContain('slack app started');
  for (const secret of [discord.token, slack.identity.botToken, slack.identity.appToken]) expect(logs()).not.toContain(secret);

  const user = discord.addUser('operator');
  const interaction = discord.slashCommand({ user, name: 'imagine', options: { prompt: 'a banana astronaut' } });
  const final = await finalReply(discord, interaction, 20_000);
  expect(final.content).toContain('a banana astronaut');
  expect(sniffImageType(attachmentBytes(discord, final))).toBe('image/png');
  const { ack } = await slack.slashCommand({ userId: 'U0OPERATOR', channelId: 'C0GENERAL', text: 'a banana on slack' });
  expect(ack.elapsedMs).toBeLessThan(3000);
  const upload = await slack.waitFor(
    () => slack.workspace.botMessages(slack.identity.botUserId).flatMap((message) => message.files).find((file) => sniffImageType(file.bytes) === 'image/png'),
    'an image uploaded on Slack',
    20_000,
  );
  expect(upload.bytes.byteLength).toBeGreaterThan(1000);
  // The job lives in the configured database (data/bot.db under the working directory).
  expect(await bot.stop()).toBe(0);
  expect(logs()).toContain('stopping');
}, 60_000);
