// The shared HTTP helper: Retry-After parsing, status mapping, key redaction and network failures, over real loopback HTTP.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createProviderHttp, parseRetryAfter, redact } from '../../src/providers/http.ts';
import { describeProviderErrorCode, describeProviderMessage } from '../../src/providers/response-fields.ts';
import { botErrorFrom } from './provider-test-support.ts';

const apiKey = 'sk-secret-key-0123456789';

describe('provider http helper', () => {
  let server: Server | undefined;
  const dispatcher = new Agent();

  afterAll(() => dispatcher.close());

  afterEach(async () => {
    if (server !== undefined) await new Promise((resolve) => server!.close(resolve));
    server = undefined;
  });

  /** A one-route server answering every request with `status`, `body` and `headers`. */
  async function answering(status: number, body: string, headers: Record<string, string> = {}): Promise<string> {
    server = createServer((_request, response) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(body);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  function call(baseUrl: string) {
    return createProviderHttp('xenodia', { apiKey, baseUrl, dispatcher, clock: { now: () => Date.parse('2026-01-01T00:00:00Z'), setTimeout, clearTimeout } }).send({
      method: 'POST',
      path: '/v1/x',
      body: { a: 1 },
      timeoutMs: 2000,
    });
  }

  it('parses Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('12', now)).toBe(12_000);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('takes retryAfterMs from an HTTP-date Retry-After on 429', async () => {
    const baseUrl = await answering(429, '{"error":"slow down"}', { 'retry-after': 'Thu, 01 Jan 2026 00:00:45 GMT' });
    const error = await botErrorFrom(call(baseUrl));
    expect(error).toMatchObject({ code: 'provider_rate_limited', retryAfterMs: 45_000, status: 429 });
  });

  it('maps 403 to provider_auth, 404 and 422 to provider_rejected, 503 to a retryable provider_failed', async () => {
    for (const [status, code, retryable] of [
      [403, 'provider_auth', false],
      [404, 'provider_rejected', false],
      [422, 'provider_rejected', false],
      [503, 'provider_failed', true],
    ] as const) {
      const baseUrl = await answering(status, '{"message":"nope"}');
      const error = await botErrorFrom(call(baseUrl));
      expect(error).toMatchObject({ code, status, retryable });
      expect(error.message).toContain('nope');
      await new Promise((resolve) => server!.close(resolve));
      server = undefined;
    }
  });

  it('never puts the key into an error, even when the provider echoes it, and truncates long messages', async () => {
    const baseUrl = await answering(400, JSON.stringify({ error: 'bad_request', message: `key ${apiKey} is not allowed ${'x'.repeat(500)}` }));
    const error = await botErrorFrom(call(baseUrl));
    expect(error.code).toBe('provider_rejected');
    expect(error.message).not.toContain(apiKey);
    expect(error.message).toContain('[redacted]');
    expect(error.message.length).toBeLessThan(400);
  });

  it('maps a 400 or 422 refusal to content_refused, reading code and message together, and leaves 402, 429 and 5xx alone', async () => {
    for (const [status, body, code, message] of [
      [400, { error: 'content_policy_violation', message: 'Invalid request' }, 'content_refused', 'Content policy violation.'],
      [422, { error: { message: 'Your prompt was flagged as inappropriate', type: 'invalid_request_error' } }, 'content_refused', 'Your prompt was flagged as inappropriate.'],
      [400, { error: 'bad_request', message: 'only n=1 is supported' }, 'provider_rejected', undefined],
      [402, { error: 'Content blocked by safety filters' }, 'provider_billing', undefined],
      [429, { error: 'Content blocked by safety filters' }, 'provider_rate_limited', undefined],
      [502, { error: 'image_generation_failed', message: 'finishReason=IMAGE_SAFETY' }, 'provider_failed', undefined],
    ] as const) {
      const baseUrl = await answering(status, JSON.stringify(body));
      const error = await botErrorFrom(call(baseUrl));
      expect(error, JSON.stringify(body)).toMatchObject({ code, status });
      if (message !== undefined) expect(error).toMatchObject({ message, retryable: false });
      await new Promise((resolve) => server!.close(resolve));
      server = undefined;
    }
  });

  it('maps an HTML error page to provider_failed with the status', async () => {
    const baseUrl = await answering(502, '<html><body>Bad Gateway</body></html>', { 'content-type': 'text/html' });
    const error = await botErrorFrom(call(baseUrl));
    expect(error).toMatchObject({ code: 'provider_failed', status: 502, retryable: true });
  });

  it('maps a refused connection to a retryable provider_failed without a request reaching anyone', async () => {
    const baseUrl = await answering(200, '{}');
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    const error = await botErrorFrom(call(baseUrl));
    expect(error).toMatchObject({ code: 'provider_failed', retryable: true });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('refuses to send without a key', async () => {
    const http = createProviderHttp('nbp-net', { apiKey: ' ', baseUrl: 'http://127.0.0.1:9', dispatcher });
    expect((await botErrorFrom(http.send({ method: 'GET', path: '/', timeoutMs: 100 }))).code).toBe('provider_auth');
  });

  it('finds the provider\'s message wherever the provider puts it', () => {
    expect(describeProviderMessage({ error: 'bad_request', message: 'only n=1 is supported' })).toBe('only n=1 is supported');
    expect(describeProviderMessage({ error: 'Insufficient credits' })).toBe('Insufficient credits');
    expect(describeProviderMessage({ error: { message: 'quota', type: 'x' } })).toBe('quota');
    expect(describeProviderMessage({ data: { error: 'Missing task ID' } })).toBe('Missing task ID');
    expect(describeProviderMessage({ data: { failure_reason: 'nsfw' } })).toBe('nsfw');
    expect(describeProviderMessage({ unrelated: true })).toBeUndefined();
    expect(redact('short', apiKey)).toBe('short');
    expect(describeProviderErrorCode({ error: 'content_policy_violation', message: 'x' })).toBe('content_policy_violation');
    expect(describeProviderErrorCode({ error: { code: 'image_generation_failed', message: 'x' } })).toBe('image_generation_failed');
    expect(describeProviderErrorCode({ code: 'IMAGE_SAFETY', message: 'x' })).toBe('IMAGE_SAFETY');
    expect(describeProviderErrorCode({ error: 'Insufficient credits' })).toBeUndefined();
  });
});
