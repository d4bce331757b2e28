// HTTP mode: the Bolt app verifies Slack's request signatures; forged or stale requests are refused, signed ones run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appMentionEvent, eventCallbackPayload, slashCommandPayload, type PayloadContext } from '../../fakes/slack/payloads.ts';
import { postSigned } from '../../fakes/slack/signed-request.ts';
import { alice, botMessagesIn, channelId, payloadContextFor, pngOf, signingSecret, startSlackTest, waitForStatus, type SlackTest } from './slack-test-app.ts';

describe('Slack HTTP mode', () => {
  let test: SlackTest;
  let requestUrl: string;
  let context: PayloadContext;

  beforeAll(async () => {
    test = await startSlackTest({ mode: 'http' });
    requestUrl = `http://127.0.0.1:${test.app.port}/slack/events`;
    context = payloadContextFor(test.slack, 'http');
  });
  afterAll(async () => {
    await test?.close();
  });

  it('counts as connected for /readyz while its receiver listens', () => {
    expect(test.app.connectionProblem()).toBeUndefined();
  });

  it('rejects a forged signature and a stale timestamp without doing anything', async () => {
    const command = slashCommandPayload(context, { userId: alice, channelId, text: 'a forged request' });
    const forged = await postSigned(requestUrl, 'slash_commands', command, { signingSecret, forgeSignature: true });
    expect(forged.status).toBe(401);
    const stale = await postSigned(requestUrl, 'slash_commands', command, { signingSecret, timestampSeconds: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(stale.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(test.slack.workspace.calls.filter((call) => call.method !== 'auth.test')).toEqual([]);
    expect((await test.jobs())).toEqual([]);
  });

  it('accepts a signed /imagine, answers within 3 s and delivers the image', async () => {
    const { slack } = test;
    test.xenodia.setResultImage(await pngOf(1, 100, 1));
    const { ack } = await slack.slashCommand({ userId: alice, channelId, text: 'a signed request --res 2K' });
    expect(ack.status).toBe(200);
    expect(ack.elapsedMs).toBeLessThan(3000);
    const parent = await slack.waitFor(() => botMessagesIn(slack)[0], 'the parent message');
    await test.waitForResult(parent);
    expect(parent.versions[0]?.text).toBe(`<@${alice}> asked: a signed request · 2K · queued`);

    const help = await slack.slashCommand({ userId: alice, channelId, text: 'help' });
    expect(help.ack.status).toBe(200);
    expect(help.ack.payload?.response_type).toBe('ephemeral');
  });

  it('starts one job for an event redelivered with X-Slack-Retry-Num', async () => {
    const { slack } = test;
    const jobs = (await test.jobs()).length;
    const file = slack.addUserFile({ bytes: await pngOf(3, 3, 3), name: 'http.png', user: alice });
    const message = slack.userMessage({ channel: channelId, user: alice, text: `<@${slack.identity.botUserId}> the same event twice`, files: [file] });
    const payload = eventCallbackPayload(context, appMentionEvent(message), 'Ev0HTTPRETRY');
    const first = await postSigned(requestUrl, 'events_api', payload, { signingSecret });
    const retry = await postSigned(requestUrl, 'events_api', payload, { signingSecret, retryNum: 1, retryReason: 'http_timeout' });
    expect([first.status, retry.status]).toEqual([200, 200]);
    const status = await waitForStatus(slack, message.ts, 'asked');
    await test.waitForResult(status);
    expect((await test.jobs())).toHaveLength(jobs + 1);
    expect((await test.creditsLeft(alice))).toBe(18);
  });
});
