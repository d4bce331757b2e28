// The fake Discord enforces per-route buckets and the global limit: over one it answers 429 with Discord's headers and body, and records it.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeDiscord } from './fake-discord.ts';

let discord: FakeDiscord | undefined;

afterEach(async () => {
  await discord?.close();
  discord = undefined;
});

/** A REST call as discord.js makes it, with the bot token. */
function rest(fake: FakeDiscord, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${fake.apiUrl}/v10${path}`, {
    method,
    headers: { authorization: `Bot ${fake.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

describe('fake Discord rate limits', () => {
  it('answers the 6th message write in 5 s in one channel with 429, X-RateLimit-* headers and retry_after, and records it', async () => {
    discord = await FakeDiscord.start();
    const channel = discord.world.channelId;
    const answers: Response[] = [];
    for (let index = 0; index < 6; index += 1) answers.push(await rest(discord, 'POST', `/channels/${channel}/messages`, { content: `m${index}` }));

    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 429]);
    const first = answers[0] as Response;
    expect(first.headers.get('x-ratelimit-limit')).toBe('5');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('4');
    expect(Number(first.headers.get('x-ratelimit-reset-after'))).toBeGreaterThan(4);
    expect(Number(first.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    const bucket = first.headers.get('x-ratelimit-bucket');
    expect(bucket).toBeTruthy();

    const refused = answers[5] as Response;
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('x-ratelimit-bucket')).toBe(bucket);
    expect(refused.headers.get('x-ratelimit-scope')).toBe('user');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await refused.json()) as { message: string; retry_after: number; global: boolean };
    expect(body).toMatchObject({ message: 'You are being rate limited.', global: false });
    expect(body.retry_after).toBeGreaterThan(0);
    expect(body.retry_after).toBeLessThanOrEqual(5);
    // Nothing was posted by the refused call; an edit in the same channel shares the bucket.
    expect(discord.messages.inChannel(channel).map((message) => message.content)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(discord.rateLimits.refused).toEqual([expect.objectContaining({ method: 'POST', scope: 'user', bucket, path: `/channels/${channel}/messages` })]);
  });

  it('answers the 51st bot request in a second with a global 429, and leaves interaction webhooks out of the global count', async () => {
    discord = await FakeDiscord.start({ rateLimits: { global: { limit: 50, windowMs: 60_000 }, interactionWebhook: undefined, channelMessageWrites: undefined } });
    const statuses: number[] = [];
    for (let index = 0; index < 51; index += 1) statuses.push((await rest(discord, 'GET', '/users/@me')).status);
    expect(statuses).toEqual([...Array(50).fill(200), 429]);
    const refused = await rest(discord, 'GET', '/users/@me');
    expect(refused.headers.get('x-ratelimit-global')).toBe('true');
    expect(refused.headers.get('x-ratelimit-scope')).toBe('global');
    expect(await refused.json()).toMatchObject({ global: true });
    // An interaction webhook is exempt: it still answers (404 here, as no such interaction exists, but not 429).
    expect((await rest(discord, 'GET', `/webhooks/${discord.world.applicationId}/no-such-token/messages/@original`)).status).not.toBe(429);
    expect(discord.rateLimits.refused.map((entry) => entry.scope)).toEqual(['global', 'global']);
  });
});
