// Slack end to end: a prompt breaking the operator's BLOCKED_TERMS is refused to the requester alone, before any provider call or charge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alice, bob, botMessagesIn, channelId, startSlackTest, type SlackTest } from './slack-test-app.ts';

let test: SlackTest;

beforeAll(async () => {
  test = await startSlackTest({ environment: { BLOCKED_TERMS: 'bad, <!channel>', QUOTA_DAILY_CREDITS: '3' } });
});

afterAll(async () => {
  await test?.close();
});

describe('Slack blocked terms', () => {
  it('refuses an operator term and its B.A.D evasion ephemerally: no provider call, no charge, no message left in the channel', async () => {
    const { slack } = test;
    const jobsBefore = (await test.jobs()).length;
    for (const prompt of ['a bad dog', 'a B.A.D dog']) {
      const { ack } = await slack.slashCommand({ userId: bob, channelId, text: prompt });
      expect(ack.payload?.response_type).toBe('ephemeral');
      expect(String(ack.payload?.text)).toBe(
        ':no_entry_sign: Your prompt was not sent: it breaks the blocked term "bad" set by this bot\'s operator. Nothing was charged.',
      );
      // Nothing public ever showed the prompt: no status message was posted for it, not even briefly.
      expect(botMessagesIn(slack).some((message) => message.text.includes('dog'))).toBe(false);
    }
    expect(slack.workspace.callsOf('chat.postMessage')).toHaveLength(0);
    expect(test.providerCreates()).toHaveLength(0);
    expect(await test.creditsLeft(bob)).toBe(3);
    expect(await test.jobs()).toHaveLength(jobsBefore);
  });

  it('echoes a rule that looks like a mention escaped, so it pings nobody', async () => {
    const { ack } = await test.slack.slashCommand({ userId: bob, channelId, text: 'hello <!channel>' });
    expect(String(ack.payload?.text)).toContain('"&lt;!channel&gt;"');
    expect(String(ack.payload?.text)).not.toContain('<!channel>');
  });

  it('lets an innocent prompt that merely contains the letters through (badge)', async () => {
    const { slack } = test;
    const { ack } = await slack.slashCommand({ userId: alice, channelId, text: 'a shiny badge' });
    expect(ack.payload).toBeUndefined();
    await slack.waitFor(() => test.providerCreates().length === 1, 'the provider call');
    await test.runner.runner.whenIdle();
    expect(await test.creditsLeft(alice)).toBe(2);
  });
});
