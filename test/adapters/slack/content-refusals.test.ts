// Slack end to end: a provider's safety refusal ends the status message with its reason and the refund, and no "Try again".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAction } from '../../fakes/slack/fake-slack.ts';
import type { FakeMessage } from '../../fakes/slack/workspace.ts';
import { bob, imagineStatus, startSlackTest, type SlackTest } from './slack-test-app.ts';

let test: SlackTest;

beforeAll(async () => {
  test = await startSlackTest();
});

afterAll(async () => {
  await test?.close();
});

/** Posts `/imagine prompt` as bob and waits until its status message ends with the refund. */
async function failedStatus(prompt: string): Promise<FakeMessage['versions'][number]> {
  const { slack } = test;
  const parent = await imagineStatus(slack, bob, prompt);
  return slack.waitFor(() => parent.versions.find((version) => version.text.includes('refunded')), 'the refunded failure');
}

describe('Slack provider refusals', () => {
  it('shows the provider’s reason, refunds the credit and offers no "Try again"', async () => {
    const creditsBefore = await test.creditsLeft(bob);
    test.xenodia.setFault('taskFails', { message: 'The prompt was flagged as unsafe', times: 1 });
    const ended = await failedStatus('a forbidden picture');
    expect(ended.text).toContain('The image service refused this request under its content rules: The prompt was flagged as unsafe.');
    expect(ended.text).not.toMatch(/try again/i);
    expect(ended.text).toContain('Your 1 credit was refunded.');
    expect(findAction(ended.blocks, 'imagine_reroll')).toBeUndefined();
    expect(await test.creditsLeft(bob)).toBe(creditsBefore);
    expect((await test.jobs()).at(-1)?.error).toMatchObject({ code: 'content_refused', retryable: false });
  });

  it('keeps the technical wording for a technical failure, and the "Try again" button when retrying can help', async () => {
    test.xenodia.setFault('taskFails', { message: 'upstream image generation failed', times: 1 });
    const failedTask = await failedStatus('an ordinary picture');
    expect(failedTask.text).toContain('The image service could not make this image. Try again.');

    test.xenodia.setFault('status500', { on: 'create', times: 1 });
    const failedCreate = await failedStatus('another ordinary picture');
    expect(failedCreate.text).toContain('The image service could not make this image. Try again.');
    expect(findAction(failedCreate.blocks, 'imagine_reroll')).toBeDefined();
  });
});
