// `npm start` as a real process against the fake Discord and fake Slack at once: main.ts's wiring delivers mock images to both.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sniffImageType } from '../src/core/image-type.ts';
import { FakeDiscord } from './fakes/discord/fake-discord.ts';
import { attachmentBytes, finalReply } from './adapters/discord/discord-test-bot.ts';
import { startFakeSlack, type FakeSlack } from './fakes/slack/fake-slack.ts';
import { spawnTypeScript } from './support/node-process.ts';

let discord: FakeDiscord;
let slack: FakeSlack;
let directory: string;
let bot: ChildProcessWithoutNullStreams | undefined;

beforeAll(async () => {
  discord = await FakeDiscord.start();
  slack = await startFakeSlack();
  directory = mkdtempSync(join(tmpdir(), 'nano-start-'));
});

afterAll(async () => {
  bot?.kill('SIGKILL');
  await discord.close();
  await slack.close();
  rmSync(directory, { recursive: true, force: true });
});

it('starts Discord and Slack from the environment, answers /imagine on both with the mock, and stops on SIGTERM', async () => {
  const child = spawnTypeScript('src/main.ts', {
    cwd: directory,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      SLACK_BOT_TOKEN: slack.identity.botToken,
      SLACK_APP_TOKEN: slack.identity.appToken,
      SLACK_API_URL: slack.apiUrl,
      MOCK_DELAY_MS: '300',
      LOG_LEVEL: 'info',
    },
  });
  bot = child;
  let logs = '';
  child.stderr.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  const deadline = Date.now() + 20_000;
  while (!logs.includes('claiming work')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the bot did not start:\n${logs}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
  expect(logs).toContain('slack app started');
  for (const secret of [discord.token, slack.identity.botToken, slack.identity.appToken]) expect(logs).not.toContain(secret);

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
  const exit = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  child.kill('SIGTERM');
  expect(await exit).toBe(0);
  expect(logs).toContain('stopping');
}, 60_000);
