// Result downloads against a real HTTP server on loopback: success, redirects, HTTP errors, timeouts, byte caps, non-images.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadImage, resolveResultImage } from '../../src/core/download-image.ts';
import type { BotError } from '../../src/core/errors.ts';

let server: Server;
let baseUrl: string;
let png: Buffer;
/** Bytes the /endless route managed to write before the client hung up. */
let endlessBytesWritten = 0;
const openResponses = new Set<ServerResponse>();
/** The Authorization header of the last /image request. */
let lastAuthorization: string | undefined;

function route(request: IncomingMessage, response: ServerResponse): void {
  openResponses.add(response);
  response.on('close', () => openResponses.delete(response));
  const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
  const path = pathname.startsWith('/loop') ? '/loop' : pathname;
  switch (path) {
    case '/image':
      // A wrong declared type: the bytes decide.
      lastAuthorization = request.headers.authorization;
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(png);
      return;
    case '/moved':
      response.writeHead(302, { location: '/image' });
      response.end();
      return;
    case '/loop':
      response.writeHead(302, { location: `/loop-${Math.random()}` });
      response.end();
      return;
    case '/missing':
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
      return;
    case '/unavailable':
      response.writeHead(503);
      response.end();
      return;
    case '/page':
      response.writeHead(200, { 'content-type': 'image/png' });
      response.end('<!DOCTYPE html><html><body>Log in to continue</body></html>');
      return;
    case '/declared-huge':
      response.writeHead(200, { 'content-type': 'image/png', 'content-length': String(200_000_000) });
      response.write(png);
      return;
    case '/endless': {
      response.writeHead(200, { 'content-type': 'image/png' });
      const chunk = Buffer.alloc(64 * 1024, 7);
      const pump = () => {
        while (!response.destroyed && endlessBytesWritten < 500_000_000) {
          endlessBytesWritten += chunk.length;
          if (!response.write(chunk)) {
            response.once('drain', pump);
            return;
          }
        }
        response.end();
      };
      pump();
      return;
    }
    case '/stall-headers':
      return;
    case '/stall-body':
      response.writeHead(200, { 'content-type': 'image/png' });
      response.write(png.subarray(0, 100));
      return;
    default:
      response.writeHead(500);
      response.end();
  }
}

beforeAll(async () => {
  png = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#3366cc' } }).png().toBuffer();
  server = createServer(route);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const response of openResponses) response.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function failure(promise: Promise<unknown>): Promise<BotError> {
  try {
    await promise;
  } catch (error) {
    return error as BotError;
  }
  throw new Error('expected the download to fail');
}

describe('downloadImage', () => {
  it('downloads an image and types it by its bytes, not its content-type', async () => {
    const image = await downloadImage(`${baseUrl}/image`);
    expect(image.mimeType).toBe('image/png');
    expect(Buffer.from(image.data).equals(png)).toBe(true);
  });

  it('follows redirects, and gives up on endless ones', async () => {
    const image = await downloadImage(`${baseUrl}/moved`);
    expect(image.mimeType).toBe('image/png');
    const error = await failure(downloadImage(`${baseUrl}/loop`, { maxRedirections: 3 }));
    expect(error).toMatchObject({ code: 'download_failed', retryable: false });
    expect(error.message).toContain('too many redirects');
  });

  it('reports HTTP errors, retryable only for server faults', async () => {
    const missing = await failure(downloadImage(`${baseUrl}/missing`));
    expect(missing).toMatchObject({ code: 'download_failed', retryable: false, status: 404 });
    expect(missing.message).toContain('HTTP 404');
    const unavailable = await failure(downloadImage(`${baseUrl}/unavailable`));
    expect(unavailable).toMatchObject({ code: 'download_failed', retryable: true, status: 503 });
  });

  it('times out when the server stalls before or during the body', async () => {
    for (const path of ['/stall-headers', '/stall-body']) {
      const started = Date.now();
      const error = await failure(downloadImage(`${baseUrl}${path}`, { timeoutMs: 300 }));
      expect(error).toMatchObject({ code: 'download_failed', retryable: true });
      expect(error.message).toContain('timed out after 300 ms');
      expect(Date.now() - started).toBeLessThan(5_000);
    }
    const minute = await failure(downloadImage(`${baseUrl}/stall-headers`, { timeoutMs: 1_000 }));
    expect(minute.message).toContain('timed out after 1 s');
  });

  it('stops reading once the byte cap is passed instead of buffering the whole body', async () => {
    const error = await failure(downloadImage(`${baseUrl}/endless`, { maxBytes: 1_000_000 }));
    expect(error).toMatchObject({ code: 'download_failed', retryable: false });
    expect(error.message).toContain('larger than 1 MB');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(endlessBytesWritten).toBeLessThan(50_000_000);

    const declared = await failure(downloadImage(`${baseUrl}/declared-huge`));
    expect(declared.message).toContain('larger than 50 MB');
  });

  it('refuses a body that is not an image', async () => {
    const error = await failure(downloadImage(`${baseUrl}/page`));
    expect(error).toMatchObject({ code: 'download_failed', retryable: false });
    expect(error.message).toContain('not an image (an HTML page)');
  });

  it('reports network failures as retryable and cancellation as cancelled', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await failure(downloadImage(`http://127.0.0.1:${closedPort}/image`));
    expect(refused).toMatchObject({ code: 'download_failed', retryable: true });
    expect(refused.message).toContain('network error');

    const controller = new AbortController();
    const pending = downloadImage(`${baseUrl}/stall-headers`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(await failure(pending)).toMatchObject({ code: 'cancelled' });

    expect(await failure(downloadImage('file:///etc/passwd'))).toMatchObject({ code: 'download_failed', retryable: false });
  });

  it('sends the given headers', async () => {
    await downloadImage(`${baseUrl}/image`, { headers: { authorization: 'Bearer test-token' } });
    expect(lastAuthorization).toBe('Bearer test-token');
  });
});

describe('resolveResultImage', () => {
  it('downloads URL results and checks byte results by sniffing', async () => {
    const fromUrl = await resolveResultImage({ url: `${baseUrl}/image` });
    expect(fromUrl.mimeType).toBe('image/png');
    const jpeg = await sharp(png).jpeg().toBuffer();
    const fromBytes = await resolveResultImage({ data: jpeg, mimeType: 'image/png' });
    expect(fromBytes.mimeType).toBe('image/jpeg');
    const html = new TextEncoder().encode('<html><body>error</body></html>');
    const error = await failure(resolveResultImage({ data: html, mimeType: 'image/png' }));
    expect(error).toMatchObject({ code: 'provider_failed', retryable: false });
    expect(error.message).toContain('not an image (an HTML page)');
  });
});
