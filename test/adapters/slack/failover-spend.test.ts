// Slack end to end with PROVIDER_FALLBACKS: the status line names the provider that made the image after a 402, and `/imagine admin spend` answers admins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeNbpCloud, type FakeProvider } from '../../fakes/providers/index.ts';
import { alice, bob, botMessagesIn, channelId, startSlackTest, type SlackTest } from './slack-test-app.ts';

let nbpCloud: FakeProvider;
let test: SlackTest;

beforeAll(async () => {
  nbpCloud = await startFakeNbpCloud({ latencyMs: 200 });
  test = await startSlackTest({
    environment: {
      NBPCLOUD_API_KEY: nbpCloud.apiKey,
      NBPCLOUD_BASE_URL: nbpCloud.baseUrl,
      PROVIDER_FALLBACKS: 'nbp-cloud',
      ADMIN_USER_IDS: `slack:${alice}`,
    },
  });
});

afterAll(async () => {
  await test?.close();
  await nbpCloud?.close();
});

describe('Slack failover and spend', () => {
  it('names the provider that made the image when the default answered 402', async () => {
    const { slack, xenodia } = test;
    xenodia.setFault('status402', { on: 'create' });
    await slack.slashCommand({ userId: bob, channelId, text: 'a lighthouse at dusk --ar 16:9' });
    const parent = await slack.waitFor(() => botMessagesIn(slack)[0], 'the parent message');
    // Nothing names a provider while the request is for the bot's default.
    expect(parent.versions[0]?.text).toBe(`<@${bob}> asked: a lighthouse at dusk · 16:9 · 1K · queued`);
    await test.waitForResult(parent);
    xenodia.setFault(null);
    expect(parent.versions.at(-1)?.text).toMatch(
      new RegExp(`^<@${bob}> asked: a lighthouse at dusk · 16:9 · 1K · by \`nbp-cloud\` instead of \`xenodia\` · done in \\d+ s\\n`),
    );
    const job = (await test.jobs()).at(-1);
    expect(job?.attempts.map((attempt) => [attempt.provider, attempt.outcome])).toEqual([['xenodia', 'not_accepted'], ['nbp-cloud', 'accepted']]);
  });

  it('answers `/imagine admin spend` with the spend table for admins only', async () => {
    const { slack } = test;
    const refused = await slack.slashCommand({ userId: bob, channelId, text: 'admin spend' });
    expect(refused.ack.payload).toEqual({ response_type: 'ephemeral', text: expect.stringContaining("Only the bot's admins") });

    const { ack } = await slack.slashCommand({ userId: alice, channelId, text: 'admin spend --by provider' });
    expect(ack.payload?.response_type).toBe('ephemeral');
    const text = String(ack.payload?.text);
    expect(text).toContain('*Spend by provider*, all time');
    expect(text).toMatch(/nbp-cloud\s+1\s+20 cr\s+0\s+0/);
    expect(text).toMatch(/total\s+1\s+20 cr/);

    const wrong = await slack.slashCommand({ userId: alice, channelId, text: 'admin spend --by week' });
    expect(String(wrong.ack.payload?.text)).toContain('--by must be one of provider, day, user, server; got "week".');
  });
});
