// Slack end to end: `/imagine show <id>` posts a delivered job's image again from the store's copy (the provider's URL is gone), with working buttons.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRecord } from '../../../src/core/job-store.ts';
import { findAction } from '../../fakes/slack/fake-slack.ts';
import type { FakeMessage } from '../../fakes/slack/workspace.ts';
import { askPrivately } from './private-answers.ts';
import {
  alice,
  bob,
  botMessagesIn,
  channelId,
  imagineStatus,
  pngOf,
  promptOf,
  sameBytes,
  startSlackTest,
  uploadsIn,
  waitForStatus,
  type SlackTest,
} from './slack-test-app.ts';

/** Another channel, where the image is shown again. */
const otherChannel = 'C0RANDOM';

let test: SlackTest;
let delivered: JobRecord;
let original: Uint8Array;

beforeAll(async () => {
  test = await startSlackTest();
  original = await pngOf(40, 140, 90);
  test.xenodia.setResultImage(original);
  const status = await imagineStatus(test.slack, alice, 'a red kite over the dunes --ar 3:2');
  await test.waitForResult(status);
  delivered = (await test.jobs()).at(-1) as JobRecord;
  expect(delivered.state).toBe('delivered');
});

afterAll(async () => {
  await test?.close();
});

/** The channel-level messages of `channel` the bot posted. */
function postsIn(channel: string): FakeMessage[] {
  return botMessagesIn(test.slack).filter((message) => message.channel === channel);
}

describe('/imagine show', () => {
  it('posts the same bytes again after the provider URL expired, where it was asked, with Reroll that works there', async () => {
    const { slack, xenodia } = test;
    // The provider now serves another picture, and its result URLs answer 404: nothing can come from there.
    xenodia.setResultImage(await pngOf(1, 2, 3));
    xenodia.setFault('resultNotFound');
    expect((await fetch(xenodia.resultUrl('any-task'))).status).toBe(404);

    const { ack } = await slack.slashCommand({ userId: alice, channelId: otherChannel, text: `show ${delivered.id.slice(0, 8)}` });
    expect(ack.payload).toBeUndefined();
    const shown = await slack.waitFor(() => postsIn(otherChannel)[0], 'the shown message');
    expect(shown.threadTs).toBeUndefined();
    expect(shown.text).toBe(':frame_with_picture: @u0alice showed again: a red kite over the dunes · 3:2 · 1K');
    const uploads = await slack.waitFor(() => uploadsIn(slack, shown.ts)[0] && uploadsIn(slack, shown.ts), 'the image in its thread');
    expect(uploads).toHaveLength(1);
    expect(uploads[0]?.name).toBe(`nano-imagine-${delivered.id}.png`);
    expect(sameBytes(uploads[0]?.bytes, original)).toBe(true);
    for (const actionId of ['imagine_reroll', 'imagine_remix', 'imagine_upscale']) expect(findAction(shown.blocks, actionId)).toBeDefined();

    // Reroll under the shown image works, in the thread it was clicked in.
    xenodia.setFault(null);
    const creates = test.providerCreates().length;
    await slack.clickButton({ userId: bob, message: shown, actionId: 'imagine_reroll' });
    const reroll = await waitForStatus(slack, shown.ts, 'rerolled');
    expect(reroll.channel).toBe(otherChannel);
    await test.waitForResult(reroll);
    expect(test.providerCreates()).toHaveLength(creates + 1);
    expect(promptOf(test.providerCreates().at(-1))).toBe('a red kite over the dunes');
    expect(uploadsIn(slack, shown.ts)).toHaveLength(2);
    // Nothing more was posted in the job's own thread.
    expect(uploadsIn(slack, delivered.origin.messageId as string)).toHaveLength(1);
  });

  it('lets anyone in the workspace show a job by its full id; a short id finds only your own', async () => {
    const { slack } = test;
    expect(await askPrivately(slack, { userId: bob, channelId: otherChannel, text: `show ${delivered.id.slice(0, 8)}` })).toBe(
      `There is no job \`${delivered.id.slice(0, 8)}\` I can show here. \`/imagine jobs\` lists your jobs with their ids.`,
    );
    const posts = postsIn(otherChannel).length;
    await slack.slashCommand({ userId: bob, channelId: otherChannel, text: `show ${delivered.id}` });
    const shown = await slack.waitFor(() => postsIn(otherChannel)[posts], 'the second shown message');
    await slack.waitFor(() => uploadsIn(slack, shown.ts).length === 1, 'its image');
    expect(sameBytes(uploadsIn(slack, shown.ts)[0]?.bytes, original)).toBe(true);
  });

  it('explains privately when there is nothing to show', async () => {
    const { slack, xenodia } = test;
    xenodia.setFault('taskFails', { message: 'upstream image generation failed', times: 1 });
    await imagineStatus(slack, alice, 'a broken kite');
    const failed = await slack.waitFor(async () => {
      const job = (await test.jobs()).at(-1);
      return job?.state === 'failed' && job;
    }, 'the failed job');
    expect(await askPrivately(slack, { userId: alice, text: `show ${failed.id}` })).toBe('That job made no image (it failed or was cancelled), so there is nothing to show.');
    expect(await askPrivately(slack, { userId: alice, text: 'show abcdef12' })).toContain('There is no job `abcdef12`');
    expect(await askPrivately(slack, { userId: alice, text: 'show' })).toBe('Use `/imagine show <id>` with an id from `/imagine jobs`.');
  });
});
