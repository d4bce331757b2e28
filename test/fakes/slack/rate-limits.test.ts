// The fake Slack enforces Slack's published limits: over a bucket it answers 429 with Retry-After and {ok:false, error:'ratelimited'}, and records it.
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from './fake-slack.ts';

let slack: FakeSlack | undefined;

afterEach(async () => {
  await slack?.close();
  slack = undefined;
});

/** One Web API call as the WebClient makes it: a form POST with the bot token. */
async function call(fake: FakeSlack, method: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${fake.apiUrl}${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${fake.identity.botToken}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

describe('fake Slack rate limits', () => {
  it('answers the 51st chat.update of a minute in one workspace with 429, Retry-After and ratelimited, and records it', async () => {
    slack = await startFakeSlack();
    const posted = await (await call(slack, 'chat.postMessage', { channel: 'C0GENERAL', text: 'status' })).json() as { ts: string };
    const answers: Response[] = [];
    for (let index = 0; index < 51; index += 1) answers.push(await call(slack, 'chat.update', { channel: 'C0GENERAL', ts: posted.ts, text: `edit ${index}` }));

    expect(answers.slice(0, 50).map((answer) => answer.status)).toEqual(Array(50).fill(200));
    const refused = answers[50] as Response;
    expect(refused.status).toBe(429);
    // Whole seconds: the bucket refills 50 a minute, so the next token is about 1.2 s away.
    expect(refused.headers.get('retry-after')).toMatch(/^[12]$/);
    expect(await refused.json()).toEqual({ ok: false, error: 'ratelimited' });
    expect(slack.rateLimits.refused).toEqual([
      expect.objectContaining({ method: 'chat.update', scope: 'workspace', retryAfterSeconds: Number(refused.headers.get('retry-after')) }),
    ]);
  });

  it('limits chat.postMessage per channel: a burst of 30, then 429 in that channel while another channel still takes messages', async () => {
    slack = await startFakeSlack();
    const statuses: number[] = [];
    for (let index = 0; index < 31; index += 1) statuses.push((await call(slack, 'chat.postMessage', { channel: 'C0BUSY', text: `m${index}` })).status);
    expect(statuses).toEqual([...Array(30).fill(200), 429]);
    expect((await call(slack, 'chat.postMessage', { channel: 'C0QUIET', text: 'hello' })).status).toBe(200);
    expect(slack.rateLimits.refused).toEqual([expect.objectContaining({ method: 'chat.postMessage', scope: 'channel', channel: 'C0BUSY', retryAfterSeconds: 1 })]);
  });

  it('can be switched off per test', async () => {
    slack = await startFakeSlack({ rateLimits: false });
    for (let index = 0; index < 60; index += 1) expect((await call(slack, 'chat.postMessage', { channel: 'C0BUSY', text: `m${index}` })).status).toBe(200);
    expect(slack.rateLimits.refused).toEqual([]);
  });
});
