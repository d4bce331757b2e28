// A busy workspace: 30 people send /imagine into one channel at once, through the real Bolt app against a fake Slack that enforces Slack's limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAction } from '../../fakes/slack/fake-slack.ts';
import type { FakeMessage } from '../../fakes/slack/workspace.ts';
import { channelId, startSlackTest, type SlackTest } from './slack-test-app.ts';

let test: SlackTest;

beforeAll(async () => {
  // Tasks take 2 s, long enough for the first status messages to show progress, short enough that
  // many images finish before the channel's budget for new messages (about one a second) has posted theirs.
  test = await startSlackTest({ environment: { QUOTA_DAILY_CREDITS: '5' }, xenodia: { latencyMs: 2000, recommendedPollIntervalMs: 200 } });
});

afterAll(async () => {
  await test?.close();
});

const users = Array.from({ length: 30 }, (_, index) => `U0BUSY${String(index).padStart(2, '0')}`);

/** The bot's messages in the channel and its threads, as they read now. */
function botMessages(): FakeMessage[] {
  return test.slack.workspace.botMessages(test.slack.identity.botUserId).filter((message) => message.channel === channelId);
}

/** Methods whose calls carry an outcome: the image itself. Edits and posts carry one when they show the buttons. */
const uploadMethods = new Set(['files.getUploadURLExternal', 'files.completeUploadExternal']);

describe('a burst of /imagine in one Slack channel', () => {
  it('posts every image, never has an outcome refused, and keeps status updates inside the budget', async () => {
    const { slack } = test;
    const started = Date.now();
    const acknowledged = new Map<string, { at: number; notice: unknown }>();
    await Promise.all(users.map(async (userId, index) => {
      const { ack } = await slack.slashCommand({ userId, channelId, text: `busy picture number ${index}` });
      acknowledged.set(`slack:${userId}`, { at: Date.now(), notice: ack.payload?.text });
    }));

    await slack.waitFor(async () => (await test.jobs()).filter((job) => job.state === 'delivered').length === users.length, 'every job delivered', 120_000);
    const jobs = await test.jobs();
    const imageOf = (jobId: string) => botMessages().find((message) => message.files.some((file) => file.name.startsWith(`nano-imagine-${jobId}.`)));
    const buttonsOf = (jobId: string) => botMessages().find((message) => (findAction(message.blocks, 'imagine_reroll') as { value?: string } | undefined)?.value === jobId);

    // Every user sees their image in the channel (in their status message's thread, or at channel level
    // when the image was ready before Slack's budget allowed a status message) as soon as it is delivered...
    for (const job of jobs) expect(imageOf(job.id), `the image of ${job.request.prompt}`).toBeDefined();
    // ...and its buttons once the channel's budget for messages allows (about one a second in one channel).
    await slack.waitFor(() => jobs.every((job) => buttonsOf(job.id) !== undefined), 'the buttons of every image', 120_000);
    await test.runner.runner.whenIdle();
    const messages = botMessages();
    expect(new Set(jobs.map((job) => job.requesterKey)).size).toBe(users.length);

    // Everyone heard at once that their image is coming: their status message was up by the time Slack had
    // their command acknowledged, or the acknowledgement itself said so (only they see it).
    for (const job of jobs) {
      const status = messages.find((message) => (message.metadata as { event_payload?: { dedupe_key?: string } } | undefined)?.event_payload?.dedupe_key === job.dedupeKey);
      const ack = acknowledged.get(job.requesterKey);
      const toldAtOnce = (status !== undefined && (status.versions[0]?.at ?? Infinity) <= (ack?.at ?? 0)) || typeof ack?.notice === 'string';
      expect(toldAtOnce, `${job.request.prompt} acknowledged with its status`).toBe(true);
    }
    expect([...acknowledged.values()].some((ack) => typeof ack.notice === 'string')).toBe(true);

    // No message is left saying it is still waiting or working.
    const stuck = messages.filter((message) => /queued|generating/.test(message.text));
    expect(stuck.map((message) => message.text)).toEqual([]);

    // Slack never had to refuse an outcome (the images, the final edits with buttons)...
    const refused = slack.rateLimits.refused;
    const refusedOutcomes = refused.filter((call) => uploadMethods.has(call.method) || (call.fields.blocks ?? '').includes('imagine_reroll'));
    expect(refusedOutcomes).toEqual([]);
    // ...nor anything else: the budget for decoration stays below Slack's limits.
    expect(refused.map((call) => call.method)).toEqual([]);

    // Progress and queue edits used at most their share of chat.update (60 % of Slack's 50 a minute, from a
    // bucket that starts with 30): never the whole limit, which the final edits need.
    const elapsedMinutes = (Date.now() - started) / 60_000;
    const progressEdits = slack.workspace.callsOf('chat.update').filter((call) => !(call.fields.blocks ?? '').includes('imagine_reroll'));
    expect(progressEdits.length).toBeLessThanOrEqual(Math.ceil(30 + 30 * elapsedMinutes));
  }, 150_000);
});
