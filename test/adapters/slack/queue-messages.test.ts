// What a Slack user reads while their job waits: their own limit, or the provider's, with their place in line.
import { afterEach, describe, expect, it } from 'vitest';
import { alice, bob, botMessagesIn, channelId, startSlackTest, type SlackTest } from './slack-test-app.ts';

let test: SlackTest | undefined;

afterEach(async () => {
  await test?.close();
  test = undefined;
});

/** Starts two /imagine jobs one after the other and returns the second one's parent message, once delivered. */
async function secondOfTwo(current: SlackTest, firstUser: string, secondUser: string) {
  const { slack } = current;
  current.xenodia.setLatency(1200);
  await slack.slashCommand({ userId: firstUser, channelId, text: 'first banana' });
  await slack.waitFor(() => botMessagesIn(slack)[0], 'the first parent message');
  await slack.slashCommand({ userId: secondUser, channelId, text: 'second banana' });
  const second = await slack.waitFor(() => botMessagesIn(slack)[1], 'the second parent message');
  return current.waitForResult(second);
}

describe('queued jobs on Slack', () => {
  it('tells a user beyond MAX_JOBS_PER_USER that they are queued behind their own images', async () => {
    test = await startSlackTest({ environment: { MAX_JOBS_PER_USER: '1' } });
    const second = await secondOfTwo(test, alice, alice);
    expect(second.versions.map((version) => version.text)).toContainEqual(expect.stringContaining('queued #1 in line (you have other images in progress)'));
  });

  it('tells users beyond PROVIDER_MAX_IN_FLIGHT that the image service is busy', async () => {
    test = await startSlackTest({ environment: { PROVIDER_MAX_IN_FLIGHT: '1' } });
    const second = await secondOfTwo(test, alice, bob);
    expect(second.versions.map((version) => version.text)).toContainEqual(expect.stringContaining('queued #1 in line (the image service is busy)'));
  });
});
