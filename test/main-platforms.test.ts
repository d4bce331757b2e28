// `npm start` as a real process against the fake Discord: the wiring of main.ts delivers an offline mock image.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sniffImageType } from '../src/core/image-type.ts';
import { FakeDiscord } from './fakes/discord/fake-discord.ts';
import { attachmentBytes, finalReply } from './adapters/discord/discord-test-bot.ts';

const projectRoot = resolve(import.meta.dirname, '..');

let discord: FakeDiscord;
let directory: string;
let bot: ChildProcessWithoutNullStreams | undefined;

beforeAll(async () => {
  discord = await FakeDiscord.start();
  directory = mkdtempSync(join(tmpdir(), 'nano-start-'));
});

afterAll(async () => {
  bot?.kill('SIGKILL');
  await discord.close();
  rmSync(directory, { recursive: true, force: true });
});

it('starts the Discord bot from the environment, answers /imagine with the mock, and stops on SIGTERM', async () => {
  const child = spawn(join(projectRoot, 'node_modules/.bin/tsx'), [join(projectRoot, 'src/main.ts')], {
    cwd: directory,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      MOCK_DELAY_MS: '300',
      LOG_LEVEL: 'info',
    },
  });
  bot = child;
  let logs = '';
  child.stderr.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  const deadline = Date.now() + 20_000;
  while (!logs.includes('recovery started')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the bot did not start:\n${logs}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
  expect(logs).not.toContain(discord.token);

  const user = discord.addUser('operator');
  const interaction = discord.slashCommand({ user, name: 'imagine', options: { prompt: 'a banana astronaut' } });
  const final = await finalReply(discord, interaction, 20_000);
  expect(final.content).toContain('a banana astronaut');
  expect(sniffImageType(attachmentBytes(discord, final))).toBe('image/png');
  // The job lives in the configured database (data/bot.db under the working directory).
  const exit = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  child.kill('SIGTERM');
  expect(await exit).toBe(0);
  expect(logs).toContain('stopping');
}, 60_000);
