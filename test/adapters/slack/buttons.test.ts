// Reroll, 4K and Remix buttons, on a fresh job and on a job from before a restart (new runner and app, same SQLite file).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAction } from '../../fakes/slack/fake-slack.ts';
import type { FakeMessage } from '../../fakes/slack/workspace.ts';
import {
  alice,
  bob,
  botMessagesIn,
  channelId,
  fieldOf,
  pngOf,
  promptOf,
  referenceFiles,
  sameBytes,
  startSlackTest,
  uploadsIn,
  waitForStatus,
  type SlackTest,
} from './slack-test-app.ts';

describe('Slack buttons', () => {
  let test: SlackTest;
  let parent: FakeMessage;
  let result: Uint8Array;

  beforeAll(async () => {
    test = await startSlackTest();
    result = await pngOf(120, 60, 200);
    test.xenodia.setResultImage(result);
    const reference = test.slack.addUserFile({ bytes: await pngOf(9, 9, 9), name: 'style.png', user: alice });
    const message = test.slack.userMessage({ channel: channelId, user: alice, text: `<@${test.slack.identity.botUserId}> a purple kite --ar 4:3`, files: [reference] });
    await test.slack.sendMentionEvent(message);
    parent = await waitForStatus(test.slack, message.ts, 'asked');
    await test.waitForResult(parent);
  });
  afterAll(async () => {
    await test?.close();
  });

  it('rerolls: same prompt, settings and references, posted in the same thread, charged to whoever clicked', async () => {
    const { slack } = test;
    const threadTs = parent.threadTs as string;
    const ack = await slack.clickButton({ userId: bob, message: parent, actionId: 'imagine_reroll' });
    expect(ack.elapsedMs).toBeLessThan(3000);
    const status = await waitForStatus(slack, threadTs, 'rerolled');
    expect(status.versions[0]?.text).toBe(`<@${bob}> rerolled: a purple kite · 4:3 · 1K · 1 reference image · queued`);
    await test.waitForResult(status);
    const [original, reroll] = test.providerCreates().slice(-2);
    expect(promptOf(reroll)).toBe('a purple kite');
    expect(fieldOf(reroll, 'aspect_ratio')).toBe('4:3');
    expect(sameBytes(reroll?.files[0]?.bytes, original?.files[0]?.bytes ?? new Uint8Array())).toBe(true);
    expect((await test.creditsLeft(bob))).toBe(19);
    expect(uploadsIn(slack, threadTs)).toHaveLength(2);
  });

  it('makes a 4K version from the chosen image', async () => {
    const { slack } = test;
    const threadTs = parent.threadTs as string;
    await slack.clickButton({ userId: alice, message: parent, actionId: 'imagine_upscale' });
    const status = await waitForStatus(slack, threadTs, 'asked for a 4K version of');
    await test.waitForResult(status);
    const create = test.providerCreates().at(-1);
    expect(fieldOf(create, 'resolution')).toBe('4K');
    expect(promptOf(create)).toBe('a purple kite');
    const references = create ? referenceFiles(create) : [];
    expect(references).toHaveLength(1);
    expect(sameBytes(references[0], result)).toBe(true);
    // A 4K result offers no further 4K.
    expect(findAction(status.blocks, 'imagine_upscale')).toBeUndefined();
  });

  it('opens the Remix modal prefilled with the prompt; submitting remixes the result', async () => {
    const { slack } = test;
    const views = slack.workspace.views.length;
    await slack.clickButton({ userId: alice, message: parent, actionId: 'imagine_remix' });
    const opened = await slack.waitFor(() => slack.workspace.views[views], 'the modal');
    expect(JSON.stringify(opened.view.blocks)).toContain('"initial_value":"a purple kite"');
    const empty = await slack.submitView({ userId: alice, view: opened, values: { remix_prompt: { prompt_input: { type: 'plain_text_input', value: '  ' } }, remix_files: { files_input: { type: 'file_input', files: [] } } } });
    expect(empty.payload).toEqual({ response_action: 'errors', errors: { remix_prompt: 'Describe the image you want.' } });
    await slack.submitView({ userId: alice, view: opened, values: { remix_prompt: { prompt_input: { type: 'plain_text_input', value: 'the kite at night' } }, remix_files: { files_input: { type: 'file_input', files: [] } } } });
    const status = await waitForStatus(slack, parent.threadTs as string, 'remixed: the kite at night');
    await test.waitForResult(status);
    const create = test.providerCreates().at(-1);
    expect(create ? referenceFiles(create).map((bytes) => sameBytes(bytes, result)) : []).toEqual([true]);
  });

  it('rerolls and upscales a job from before a restart', async () => {
    const { slack } = test;
    const threadTs = parent.threadTs as string;
    await test.restart();
    const jobs = (await test.jobs()).length;
    await slack.clickButton({ userId: bob, message: parent, actionId: 'imagine_reroll' });
    await slack.clickButton({ userId: bob, message: parent, actionId: 'imagine_upscale' });
    await slack.waitFor(async () => (await test.jobs()).length === jobs + 2, 'two new jobs');
    await test.runner.runner.whenIdle();
    const statuses = botMessagesIn(slack, threadTs).filter((message) => message.files.length === 0).slice(-2);
    const verbs = statuses.map((message) => message.versions[0]?.text.split(':')[0]).sort();
    expect(verbs).toEqual([`<@${bob}> asked for a 4K version of`, `<@${bob}> rerolled`]);
    for (const status of statuses) expect(findAction(status.blocks, 'imagine_reroll')).toBeDefined();
    const upscale = test.providerCreates().find((request, index, all) => index >= all.length - 2 && fieldOf(request, 'resolution') === '4K');
    expect(upscale && sameBytes(referenceFiles(upscale)[0], result)).toBe(true);
    expect((await test.jobs()).slice(-2).every((job) => job.state === 'delivered')).toBe(true);
  });

  it('delivers a job that was still generating when the bot restarted, through the new app', async () => {
    const { slack } = test;
    const count = botMessagesIn(slack).length;
    await slack.slashCommand({ userId: alice, channelId, text: 'a slow comet' });
    const pending = await slack.waitFor(() => botMessagesIn(slack)[count], 'the parent message');
    await slack.waitFor(async () => (await test.jobs()).at(-1)?.state === 'submitted' || (await test.jobs()).at(-1)?.state === 'running', 'the provider task');
    await test.restart();
    await test.waitForResult(pending);
    expect(uploadsIn(slack, pending.ts)).toHaveLength(1);
    expect((await test.jobs()).at(-1)?.state).toBe('delivered');
  });

  it('tells the user when the job behind a button is gone', async () => {
    const { slack } = test;
    const ghost = slack.userMessage({ channel: channelId, user: slack.identity.botUserId, text: 'old', threadTs: parent.threadTs as string });
    ghost.blocks = [{ type: 'actions', elements: [{ type: 'button', action_id: 'imagine_reroll', value: 'no-such-job', text: { type: 'plain_text', text: 'Reroll' } }] }];
    const responses = slack.workspace.responses.length;
    await slack.clickButton({ userId: alice, message: ghost, actionId: 'imagine_reroll' });
    const answer = await slack.waitFor(() => slack.workspace.responses[responses], 'the response_url answer');
    expect(answer.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(answer.body.text)).toMatch(/^That image is no longer available/);
  });
});
