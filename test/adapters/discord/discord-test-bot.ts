// End-to-end wiring for the Discord tests: fake Discord + fake Xenodia + the real runner on SQLite + the real bot.
import { startDiscordBot, type DiscordBot } from '../../../src/adapters/discord/index.ts';
import type { Clock } from '../../../src/core/clock.ts';
import { silentLogger } from '../../../src/log.ts';
import { FakeDiscord, buttonIds, type FakeDiscordOptions, type FakeInteraction, type FakeMessage, type FakeUser } from '../../fakes/discord/fake-discord.ts';
import type { FakeXenodia, FakeXenodiaOptions, RecordedRequest } from '../../fakes/providers/index.ts';
import { startAdapterTestBackend } from '../../support/adapter-test-backend.ts';
import { createTestRunner, type TestRunner } from '../../support/runner-harness.ts';
import { pngOf } from '../../support/solid-png.ts';

export { pngOf };

export interface DiscordTestOptions {
  discord?: FakeDiscordOptions;
  xenodia?: FakeXenodiaOptions;
  /** Extra environment for the runner (QUOTA_DAILY_CREDITS, JOB_DEADLINE_SECONDS, ...). */
  environment?: Record<string, string>;
  /** The Discord delivery's clock (interaction token expiry, rate-limit windows); default the real one. */
  clock?: Clock;
}

/** Everything a Discord end-to-end test drives. `restart()` replaces runner and bot, keeping the SQLite file. */
export interface DiscordTest {
  discord: FakeDiscord;
  xenodia: FakeXenodia;
  runner: TestRunner;
  bot: DiscordBot;
  /** Stops runner and bot, runs `whileStopped` (e.g. to write to the database as another process would), starts both again. */
  restart(whileStopped?: (databasePath: string) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** Progress edits in tests come every 100 ms instead of every 3 s. */
const testProgressIntervalMs = 100;

/** Starts the fakes, then the runner and the bot exactly as `npm start` wires them. */
export async function startDiscordTest(options: DiscordTestOptions = {}): Promise<DiscordTest> {
  const discord = await FakeDiscord.start(options.discord);
  const backend = await startAdapterTestBackend('discord', options);
  const { xenodia, environment, databasePath } = backend;
  const launch = async () => {
    const runner = createTestRunner({ environment, progressIntervalMs: testProgressIntervalMs, databasePath });
    const bot = await startDiscordBot({
      token: discord.token, apiUrl: discord.apiUrl, service: runner.runner, logger: silentLogger,
      progressIntervalMs: testProgressIntervalMs, ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
    await runner.runner.resume();
    return { runner, bot };
  };
  let current = await launch();
  const test: DiscordTest = {
    discord,
    xenodia,
    runner: current.runner,
    bot: current.bot,
    async restart(whileStopped) {
      await current.bot.stop();
      await current.runner.close();
      await whileStopped?.(databasePath);
      current = await launch();
      test.runner = current.runner;
      test.bot = current.bot;
    },
    async close() {
      await current.bot.stop();
      await current.runner.close();
      await discord.close();
      await backend.close();
    },
  };
  return test;
}

/** Uploads a PNG to the fake CDN, as a user attaching it to a command. */
export async function attachPng(discord: FakeDiscord, name: string, color: [number, number, number]) {
  const data = await pngOf(...color);
  return { attachment: discord.upload({ filename: name, data, contentType: 'image/png' }), data };
}

/** True once a status message shows its final state: an image with a job line, or an error. */
export function isFinal(message: FakeMessage | undefined): message is FakeMessage {
  return message !== undefined && (message.content.includes('❌') || (message.attachments.length > 0 && message.content.includes('Job `')));
}

/** Waits until `interaction`'s reply is final and returns it. */
export function finalReply(discord: FakeDiscord, interaction: FakeInteraction, timeoutMs = 15_000): Promise<FakeMessage> {
  return discord.waitFor('the final reply', () => {
    const message = discord.originalMessage(interaction);
    return isFinal(message) ? message : undefined;
  }, timeoutMs);
}

/** The bytes of a message's first attachment, from the fake CDN. */
export function attachmentBytes(discord: FakeDiscord, message: FakeMessage): Uint8Array {
  const attachment = message.attachments[0];
  if (!attachment) throw new Error('the message has no attachment');
  const file = discord.messages.file(new URL(attachment.url).pathname);
  if (!file) throw new Error('attachment bytes not on the CDN');
  return file.data;
}

/** The job id carried by a result message's buttons. */
export function jobIdOf(message: FakeMessage): string {
  const id = buttonIds(message)[0]?.split(':')[2];
  if (!id) throw new Error('no job button on the message');
  return id;
}

/** Runs /quota for `user` and returns the ephemeral answer. */
export async function quotaOf(discord: FakeDiscord, user: FakeUser): Promise<string> {
  const interaction = discord.slashCommand({ user, name: 'quota' });
  const callback = await discord.waitFor('the /quota answer', () => interaction.callbacks[0]);
  expectEphemeral(callback.data);
  return String(callback.data?.['content'] ?? '');
}

function expectEphemeral(data: Record<string, unknown> | undefined): void {
  if ((Number(data?.['flags'] ?? 0) & 64) === 0) throw new Error('the answer must be ephemeral');
}

/** Create calls the fake Xenodia received (not polls or downloads). */
export function createCalls(xenodia: FakeXenodia): RecordedRequest[] {
  return xenodia.apiRequests().filter((request) => request.method === 'POST');
}

/** Compares bytes (vitest's deep equality is slow on large typed arrays). */
export function sameBytes(left: Uint8Array, right: Uint8Array): boolean {
  return Buffer.from(left).equals(Buffer.from(right));
}

/**
 * The private answer to `interaction`: an ephemeral reply, or an ephemeral deferral then edited. Fails
 * when the first answer was public (the point of these answers is that nobody else sees them).
 */
export async function privateAnswer(discord: FakeDiscord, interaction: FakeInteraction, timeoutMs = 10_000): Promise<FakeMessage> {
  const callback = await discord.waitFor('the first answer', () => interaction.callbacks[0], timeoutMs);
  if (callback.type !== 4 && callback.type !== 5) throw new Error(`expected a reply, got callback type ${callback.type}`);
  expectEphemeral(callback.data);
  return discord.waitFor('the private answer', () => {
    const message = discord.originalMessage(interaction);
    return message !== undefined && message.content !== '' ? message : undefined;
  }, timeoutMs);
}

/** The ephemeral follow-up sent after `interaction` was acknowledged without a reply (a button's deferred update). */
export function privateFollowUp(discord: FakeDiscord, interaction: FakeInteraction, timeoutMs = 10_000): Promise<FakeMessage> {
  return discord.waitFor('the ephemeral follow-up', () => {
    const followUp = discord.callsFor(interaction).find((call) => call.method === 'POST' && call.path.startsWith('/webhooks/') && call.status === 200);
    const flags = Number(followUp?.body?.['flags'] ?? 0);
    if (followUp === undefined) return undefined;
    if ((flags & 64) === 0) throw new Error('the follow-up must be ephemeral');
    return discord.messages.inChannel(interaction.channelId).find((message) =>
      (message.flags & 64) !== 0 && message.content === String(followUp.body?.['content'] ?? ''));
  }, timeoutMs);
}
