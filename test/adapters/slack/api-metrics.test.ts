// Slack Web API calls counted by method through the WebClient's fetch: 429s included, upload URLs never as labels.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { countingFetch, slackMethodName } from '../../../src/adapters/slack/api-metrics.ts';
import type { PlatformMetrics } from '../../../src/core/bot-metrics.ts';

describe('slackMethodName', () => {
  it('names Web API methods and calls every other URL a file upload', () => {
    expect(slackMethodName('https://slack.com/api/chat.postMessage')).toBe('chat.postMessage');
    expect(slackMethodName('http://127.0.0.1:1234/client/bot-a/api/files.getUploadURLExternal')).toBe('files.getUploadURLExternal');
    expect(slackMethodName('https://files.slack.com/upload/v1/CwABAAAAXQoAAZ9mLMVnN2R0')).toBe('file_upload');
    expect(slackMethodName('not a url')).toBe('other');
  });
});

describe('countingFetch', () => {
  it('reports each answer with its method and status, 429s included', async () => {
    const server = createServer((request, response) => {
      response.writeHead(request.url?.endsWith('chat.update') ? 429 : 200, { 'retry-after': '1' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
    const calls: Array<[string, string, number]> = [];
    const metrics: PlatformMetrics = { platformCall: (platform, method, status) => calls.push([platform, method, status]) };
    try {
      const fetchCounted = countingFetch(metrics);
      expect((await fetchCounted(`${base}chat.postMessage`, { method: 'POST' })).status).toBe(200);
      expect((await fetchCounted(new URL(`${base}chat.update`), { method: 'POST' })).status).toBe(429);
      expect(calls).toEqual([['slack', 'chat.postMessage', 200], ['slack', 'chat.update', 429]]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
