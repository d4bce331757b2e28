// A busy channel: 30 people use /imagine in one Discord channel at once, through the real discord.js client against a fake Discord that enforces its limits.
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/core/clock.ts';
import { buttonIds, type FakeDiscord, type FakeInteraction, type RecordedCall } from '../../fakes/discord/fake-discord.ts';
import { finalReply, isFinal, jobIdOf, startDiscordTest, type DiscordTest } from './discord-test-bot.ts';

let test: DiscordTest | undefined;

afterEach(async () => {
  await test?.close();
  test = undefined;
});

/** Sends /imagine from 30 different members of one channel at once. */
function burst(discord: FakeDiscord): FakeInteraction[] {
  return Array.from({ length: 30 }, (_, index) =>
    discord.slashCommand({ user: discord.addUser(`member${index}`), name: 'imagine', options: { prompt: `busy picture number ${index}` } }));
}

/** A call that carries an outcome: the image, or the buttons under it (a pending message's only button is Cancel). */
function isOutcome(call: RecordedCall): boolean {
  const components = call.body?.['components'];
  return call.files.length > 0 || (Array.isArray(components) && buttonIds({ components }).some((id) => !id.startsWith('ni1:cancel:')));
}

/** Edits of the pending messages that show progress (no files, no buttons but Cancel). */
function progressEdits(discord: FakeDiscord): RecordedCall[] {
  return discord.calls.filter((call) => call.method === 'PATCH' && call.status === 200 && !isOutcome(call) && /⏳|🎨/.test(String(call.body?.['content'])));
}

/** The most of `calls` Discord counted in one window of their route. */
function busiestWindow(calls: RecordedCall[]): number {
  const perWindow = new Map<string, number>();
  for (const call of calls) if (call.rateLimitWindow) perWindow.set(call.rateLimitWindow, (perWindow.get(call.rateLimitWindow) ?? 0) + 1);
  return Math.max(0, ...perWindow.values());
}

/** A clock 16 minutes ahead: every interaction token the bot sees has expired (Discord allows 15). */
const sixteenMinutesLater: Clock = {
  now: () => Date.now() + 16 * 60_000,
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

describe('a burst of /imagine in one Discord channel', () => {
  it('posts every image with its buttons, never has an outcome refused, and edits progress within each token’s budget', async () => {
    test = await startDiscordTest({ xenodia: { latencyMs: 1500, recommendedPollIntervalMs: 200 } });
    const { discord } = test;
    const interactions = burst(discord);
    const finals = await Promise.all(interactions.map((interaction) => finalReply(discord, interaction, 90_000)));

    // Every member sees their own image and its buttons in their reply.
    expect(new Set(finals.map((message) => jobIdOf(message))).size).toBe(30);
    for (const message of finals) expect(message.attachments).toHaveLength(1);
    // Discord never refused a call: not the results, and not the progress edits either.
    expect(discord.rateLimits.refused.filter((refusal) => discord.calls.some((call) => call.at === refusal.at && call.path === refusal.path && isOutcome(call)))).toEqual([]);
    expect(discord.rateLimits.refused).toEqual([]);
    // Progress went through each interaction's own token, at most 3 edits in one of its windows (of Discord's 5 per 2 s).
    for (const interaction of interactions) {
      const edits = progressEdits(discord).filter((call) => call.path.includes(interaction.token));
      expect(edits.every((call) => call.rateLimitWindow !== undefined)).toBe(true);
      expect(busiestWindow(edits)).toBeLessThanOrEqual(3);
    }
  }, 120_000);

  it('after 15 minutes, when every edit shares the channel’s route, still posts every image first and keeps progress within the channel’s budget', async () => {
    // The channel's route allows 5 calls a second here: the bot assumes Discord's reported 5 per 5 s until the headers tell it better.
    test = await startDiscordTest({
      clock: sixteenMinutesLater,
      discord: { rateLimits: { global: { limit: 50, windowMs: 1000 }, interactionWebhook: { limit: 5, windowMs: 2000 }, channelMessageWrites: { limit: 5, windowMs: 1000 } } },
      xenodia: { latencyMs: 1500, recommendedPollIntervalMs: 200 },
    });
    const { discord } = test;
    const interactions = burst(discord);
    // With the token expired, each image is posted in the channel and the old reply points at it.
    await discord.waitFor('every image in the channel', () => discord.messages.inChannel(discord.world.channelId).filter(isFinal).length === 30 && true, 90_000);
    await test.runner.runner.whenIdle();

    // Each old reply then stops saying "queued" or "generating" and points at its image (as the channel's budget allows).
    const stillPending = () => interactions.filter((interaction) => /⏳|🎨/.test(discord.originalMessage(interaction)?.content ?? '⏳'));
    await discord.waitFor('every old reply to end', () => stillPending().length === 0, 90_000);

    const channelWrites = discord.calls.filter((call) => call.path.startsWith(`/channels/${discord.world.channelId}/messages`) && call.method !== 'GET');
    expect(channelWrites.filter(isOutcome).filter((call) => call.status === 429)).toEqual([]);
    expect(discord.rateLimits.refused).toEqual([]);
    // Progress edits never took more than 3 of the channel's 5 calls in a window: the rest was left for outcomes.
    expect(progressEdits(discord).length).toBeGreaterThan(0);
    expect(busiestWindow(progressEdits(discord))).toBeLessThanOrEqual(3);
  }, 120_000);
});
