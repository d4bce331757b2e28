// Shared plumbing for the provider fakes: a loopback HTTP server that parses and records what it receives.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sniffImageType, type ImageMimeType } from '../../../src/core/image-type.ts';

/** A file part as the fake received it. */
export interface RecordedFile {
  /** The multipart field name (`image[]`, `imageFile`, ...). */
  field: string;
  filename: string;
  /** The part's declared content type. */
  declaredType: string;
  /** What the bytes really are, by magic number. */
  sniffedType: ImageMimeType | undefined;
  bytes: Uint8Array;
}

/** One request as the fake received it, kept so tests can assert what the provider saw. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Lower-case header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** How the body was encoded. `invalid` means it claimed a type and failed to parse as it. */
  bodyKind: 'none' | 'json' | 'multipart' | 'other' | 'invalid';
  /** The parsed JSON body, when `bodyKind` is `json`. */
  json?: unknown;
  /** Multipart text fields by name, in order. */
  fields: Record<string, string[]>;
  /** Multipart file parts, in order. */
  files: RecordedFile[];
  /** When it arrived (ms since epoch). */
  receivedAt: number;
}

/** Answers one request. Throwing answers 500. */
export type FakeRoute = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>;

/** A started fake server. */
export interface FakeHttpServer {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /** Every request received, oldest first (empty when recording is off). */
  readonly requests: RecordedRequest[];
  /** Requests received, counted even when recording is off. */
  readonly requestCount: number;
  /** Forgets recorded requests. */
  clearRequests(): void;
  /** Runs `callback` after `delayMs` unless the server closes first. */
  later(callback: () => void, delayMs: number): void;
  /** Stops listening, drops open connections (including held-open ones) and cancels timers. */
  close(): Promise<void>;
}

async function readBody(message: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function flattenHeaders(message: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

async function parseRequest(message: IncomingMessage): Promise<RecordedRequest> {
  const headers = flattenHeaders(message);
  const url = new URL(message.url ?? '/', 'http://127.0.0.1');
  const body = await readBody(message);
  const contentType = headers['content-type'] ?? '';
  const recorded: RecordedRequest = {
    method: message.method ?? 'GET',
    path: url.pathname,
    headers,
    bodyKind: body.length === 0 ? 'none' : 'other',
    fields: {},
    files: [],
    receivedAt: Date.now(),
  };
  if (body.length === 0) return recorded;
  if (contentType.startsWith('application/json')) {
    try {
      recorded.json = JSON.parse(body.toString('utf8'));
      recorded.bodyKind = 'json';
    } catch {
      recorded.bodyKind = 'invalid';
    }
  } else if (contentType.startsWith('multipart/form-data')) {
    try {
      const form = await new Request(url, { method: 'POST', headers: { 'content-type': contentType }, body, duplex: 'half' } as RequestInit).formData();
      for (const [field, value] of form.entries()) {
        if (typeof value === 'string') {
          (recorded.fields[field] ??= []).push(value);
        } else {
          const bytes = new Uint8Array(await value.arrayBuffer());
          recorded.files.push({ field, filename: value.name, declaredType: value.type, sniffedType: sniffImageType(bytes), bytes });
        }
      }
      recorded.bodyKind = 'multipart';
    } catch {
      recorded.bodyKind = 'invalid';
    }
  }
  return recorded;
}

/** Writes a JSON answer. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.headersSent || response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

/** Writes a raw answer (malformed JSON, images, HTML error pages). */
export function sendRaw(response: ServerResponse, status: number, body: string | Uint8Array, contentType: string, headers: Record<string, string> = {}): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...headers });
  response.end(body);
}

/** Starts a fake on 127.0.0.1 with an ephemeral port. */
export async function startFakeHttpServer(route: FakeRoute, options: { recordRequests?: boolean } = {}): Promise<FakeHttpServer> {
  const record = options.recordRequests ?? true;
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let requestCount = 0;

  const server: Server = createServer((message, response) => {
    void (async () => {
      try {
        const recorded = await parseRequest(message);
        requestCount += 1;
        if (record) requests.push(recorded);
        await route(recorded, response);
      } catch (error) {
        sendJson(response, 500, { error: 'fake_failure', message: error instanceof Error ? error.message : String(error) });
      }
    })();
  });
  // A deep backlog so a burst of a thousand new connections (the benchmark) is not refused.
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    get requestCount() {
      return requestCount;
    },
    clearRequests: () => {
      requests.length = 0;
    },
    later(callback, delayMs) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        callback();
      }, delayMs);
      timers.add(timer);
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
