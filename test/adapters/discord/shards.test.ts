// Gateway shards: one process running every shard, and two `npm start` processes splitting two shards over one database.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { shardOptions } from '../../../src/adapters/discord/client.ts';
import { startDiscordBot, type DiscordBot } from '../../../src/adapters/discord/index.ts';
import { sniffImageType } from '../../../src/core/image-type.ts';
import { silentLogger } from '../../../src/log.ts';
import { FakeDiscord, shardOf, type FakeGuild, type FakeInteraction } from '../../fakes/discord/fake-discord.ts';
import { spawnTypeScript } from '../../support/node-process.ts';
import { createTestRunner, type TestRunner } from '../../support/runner-harness.ts';
import { attachmentBytes, finalReply } from './discord-test-bot.ts';


/** What each test started, closed in reverse by `afterEach` even when the test failed. */
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  // Every cleanup runs even when one throws, so a failed test leaves no bot process or port behind.
  const failures: unknown[] = [];
  for (const cleanup of cleanups.splice(0).reverse()) {
    await Promise.resolve().then(cleanup).catch((error: unknown) => failures.push(error));
  }
  if (failures.length > 0) throw failures[0];
});

/** Runs /imagine in `guild`'s channel as a new member of it. */
function imagineIn(discord: FakeDiscord, guild: FakeGuild, prompt: string): FakeInteraction {
  const user = discord.addUser(`user-of-${guild.name}`);
  return discord.slashCommand({ user, name: 'imagine', channelId: guild.channelId, options: { prompt } });
}

/** Interaction callbacks the bot POSTed for `interaction`, counting any Discord refused as already acknowledged. */
function callbackCalls(discord: FakeDiscord, interaction: FakeInteraction) {
  return discord.callsFor(interaction).filter((call) => call.method === 'POST' && call.path.endsWith('/callback'));
}

/** Every REST call that uploaded a file for `interaction`: through its token, or into its channel with the bot token. */
function uploadsFor(discord: FakeDiscord, interaction: FakeInteraction) {
  return discord.calls.filter((call) =>
    call.files.length > 0 &&
    (call.path.includes(interaction.token) || (call.method === 'POST' && call.path === `/channels/${interaction.channelId}/messages`)));
}

/** Checks one command was routed to `shardId` only, acknowledged once, and answered with one image. */
async function expectAnsweredOnce(discord: FakeDiscord, interaction: FakeInteraction, shardId: number): Promise<void> {
  expect(interaction.shardIds).toEqual([shardId]);
  const final = await finalReply(discord, interaction, 20_000);
  expect(final.content).not.toContain('❌');
  expect(sniffImageType(attachmentBytes(discord, final))).toBe('image/png');
  expect(callbackCalls(discord, interaction)).toHaveLength(1);
  expect(interaction.callbacks).toHaveLength(1);
  expect(uploadsFor(discord, interaction)).toHaveLength(1);
}

/** The runner on a fresh SQLite file and the Discord bot, wired as `npm start` does, with the shards `environment` asks for. */
async function startBot(discord: FakeDiscord, environment: Record<string, string>): Promise<{ runner: TestRunner; bot: DiscordBot }> {
  // `await` also copes with a harness that opens its store asynchronously.
  const runner = await createTestRunner({
    environment: { PROVIDER: 'mock', MOCK_DELAY_MS: '100', DISCORD_TOKEN: discord.token, ...environment },
  });
  cleanups.push(() => runner.close());
  const shards = runner.config.discord?.shards;
  const bot = await startDiscordBot({
    token: discord.token, apiUrl: discord.apiUrl, service: runner.runner, logger: silentLogger, progressIntervalMs: 100,
    ...(shards === undefined ? {} : { shards }),
  });
  cleanups.push(() => bot.stop());
  await runner.runner.resume();
  return { runner, bot };
}

describe('shard options for discord.js', () => {
  it("asks Discord without a count, runs every shard of a count, and only the listed ids when given", () => {
    expect(shardOptions(undefined)).toEqual({ shards: 'auto' });
    expect(shardOptions({ count: undefined, ids: undefined })).toEqual({ shards: 'auto' });
    expect(shardOptions({ count: 3, ids: undefined })).toEqual({ shards: [0, 1, 2], shardCount: 3 });
    expect(shardOptions({ count: 4, ids: [1, 3] })).toEqual({ shards: [1, 3], shardCount: 4 });
  });
});

describe('one process running every shard', () => {
  it('with DISCORD_SHARD_COUNT=2 and no ids opens both shards, one IDENTIFY per 5 s, and answers servers on each', async () => {
    const discord = await FakeDiscord.start();
    cleanups.push(() => discord.close());
    const onShard0 = discord.addGuild({ name: 'zero', onShard: [0, 2] });
    const onShard1 = discord.addGuild({ name: 'one', onShard: [1, 2] });
    expect([shardOf(onShard0.guildId, 2), shardOf(onShard1.guildId, 2)]).toEqual([0, 1]);

    const { bot } = await startBot(discord, { DISCORD_SHARD_COUNT: '2' });
    expect([...bot.client.ws.shards.keys()].sort()).toEqual([0, 1]);
    expect(discord.gateway.readyShards().sort()).toEqual([[0, 2], [1, 2]]);
    // max_concurrency 1 (the fake's default, as for small bots): discord.js waits 5 s before the second IDENTIFY.
    const [first, second] = discord.gateway.identifies;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(4_900);

    const fromShard0 = imagineIn(discord, onShard0, 'a banana on shard zero');
    const fromShard1 = imagineIn(discord, onShard1, 'a banana on shard one');
    await expectAnsweredOnce(discord, fromShard0, 0);
    await expectAnsweredOnce(discord, fromShard1, 1);
  }, 45_000);

  it('without DISCORD_SHARD_COUNT runs the number of shards GET /gateway/bot recommends', async () => {
    // max_concurrency 2 puts shards 0 and 1 in different buckets, so they identify together.
    const discord = await FakeDiscord.start({ recommendedShards: 2, maxConcurrency: 2 });
    cleanups.push(() => discord.close());
    const onShard1 = discord.addGuild({ name: 'one', onShard: [1, 2] });

    const { bot } = await startBot(discord, {});
    expect(bot.client.options.shardCount).toBe(2);
    expect(discord.gateway.readyShards().sort()).toEqual([[0, 2], [1, 2]]);
    await expectAnsweredOnce(discord, imagineIn(discord, onShard1, 'a recommended banana'), 1);
  });
});

/** A bot process started like `npm start`, with its stderr (pino's JSON lines) collected. */
interface BotProcess {
  child: ChildProcessWithoutNullStreams;
  logs(): string;
}

function startProcess(environment: Record<string, string>, workingDirectory: string): BotProcess {
  const child = spawnTypeScript('src/main.ts', {
    cwd: workingDirectory,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...environment },
  });
  let logs = '';
  child.stderr.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return { child, logs: () => logs };
}

async function waitForLog(bot: BotProcess, text: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!bot.logs().includes(text)) {
    if (Date.now() > deadline || bot.child.exitCode !== null) throw new Error(`no "${text}" from the bot:\n${bot.logs()}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
}

/** The `shards` field of the process's "connected to Discord" log line. */
function loggedShards(bot: BotProcess): unknown {
  const line = bot.logs().split('\n').find((candidate) => candidate.includes('connected to Discord'));
  return line === undefined ? undefined : (JSON.parse(line) as { shards?: unknown }).shards;
}

async function stopProcess(bot: BotProcess): Promise<number | null> {
  if (bot.child.exitCode !== null) return bot.child.exitCode;
  const exit = new Promise<number | null>((resolveExit) => bot.child.once('exit', (code) => resolveExit(code)));
  bot.child.kill('SIGTERM');
  return exit;
}

describe('two processes, one shard each', () => {
  it('routes each server to the process holding its shard, and every command is answered exactly once', async () => {
    const discord = await FakeDiscord.start();
    cleanups.push(() => discord.close());
    const onShard0 = discord.addGuild({ name: 'zero', onShard: [0, 2] });
    const onShard1 = discord.addGuild({ name: 'one', onShard: [1, 2] });
    const directory = mkdtempSync(join(tmpdir(), 'nano-shards-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    const shared = {
      DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl, DISCORD_SHARD_COUNT: '2',
      DATABASE_PATH: join(directory, 'bot.db'), PROVIDER: 'mock', MOCK_DELAY_MS: '300', LOG_LEVEL: 'info',
      // Each process would otherwise claim the same default health port.
      HEALTH_PORT: '0',
    };
    const processes = [
      startProcess({ ...shared, DISCORD_SHARD_IDS: '0' }, directory),
      startProcess({ ...shared, DISCORD_SHARD_IDS: '1' }, directory),
    ];
    // The adapter's own line: its listeners are on by then. A command that arrives before the runner
    // starts claiming work waits in the database for it, so nothing later needs to be awaited.
    await Promise.all(processes.map((bot) => waitForLog(bot, 'connected to Discord')));
    expect(processes.map(loggedShards)).toEqual([[0], [1]]);
    expect(discord.gateway.readyShards().sort()).toEqual([[0, 2], [1, 2]]);

    const fromShard0 = imagineIn(discord, onShard0, 'a banana for process zero');
    const fromShard1 = imagineIn(discord, onShard1, 'a banana for process one');
    await expectAnsweredOnce(discord, fromShard0, 0);
    await expectAnsweredOnce(discord, fromShard1, 1);
    // A second delivery (from the other process taking the job over) would come after the first; give it time to show.
    await new Promise((resolveWait) => setTimeout(resolveWait, 1_500));
    expect(uploadsFor(discord, fromShard0)).toHaveLength(1);
    expect(uploadsFor(discord, fromShard1)).toHaveLength(1);

    expect(await Promise.all(processes.map(stopProcess))).toEqual([0, 0]);
  }, 60_000);
});
