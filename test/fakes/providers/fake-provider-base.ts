// The part every provider fake shares: key check, fault switches, timing, and serving result images.
import type { ServerResponse } from 'node:http';
import { sniffImageType } from '../../../src/core/image-type.ts';
import { FaultSwitch, type FakeEndpoint, type FakeFault, type FaultSettings, type HttpFault } from './fake-faults.ts';
import { sendJson, sendRaw, startFakeHttpServer, type RecordedRequest } from './fake-http-server.ts';
import { resultImageBytes, type ResultImageChoice } from './fake-result-images.ts';
import type { TaskTiming } from './fake-tasks.ts';

/** Options every provider fake takes. */
export interface FakeProviderOptions {
  /** The only key accepted as `Authorization: Bearer <key>` (default `test-key`). */
  apiKey?: string;
  /** Time from create to result, in ms (default 50). */
  latencyMs?: number;
  /** Spread of the latency as a fraction (default 0). */
  jitter?: number;
  /** Image served at result URLs (default `small`). */
  resultImage?: ResultImageChoice;
  /** Keep every request for assertions (default true); turn off for long benchmarks. */
  recordRequests?: boolean;
}

/** The controls every provider fake exposes to tests. */
export interface FakeProvider {
  /** Root URL to give the client as its base URL. */
  readonly baseUrl: string;
  /** The key the fake accepts. */
  readonly apiKey: string;
  /** Every request received, oldest first. */
  readonly requests: RecordedRequest[];
  /** Requests received (counted even when recording is off). */
  readonly requestCount: number;
  /** Requests to API endpoints (not result files), oldest first. */
  apiRequests(): RecordedRequest[];
  clearRequests(): void;
  /** Activates one fault (replacing any other); `null` clears it. */
  setFault(fault: FakeFault | null, settings?: FaultSettings): void;
  /** Changes the latency of tasks created from now on. */
  setLatency(latencyMs: number, jitter?: number): void;
  /** Changes the image served at result URLs. */
  setResultImage(choice: ResultImageChoice): void;
  /** Where the result of task/generation `id` is served. */
  resultUrl(id: string): string;
  close(): Promise<void>;
}

/** What a provider fake's route sees. */
export interface FakeContext {
  readonly timing: TaskTiming;
  readonly faults: FaultSwitch;
  resultUrl(id: string): string;
  /** Runs `callback` after `delayMs` unless the fake closes first. */
  later(callback: () => void, delayMs: number): void;
}

/** A matched API endpoint. */
export interface FakeRouteMatch {
  endpoint: FakeEndpoint;
  handle(request: RecordedRequest, response: ServerResponse): void | Promise<void>;
}

/** What makes one provider's fake. */
export interface FakeDefinition {
  /** A path prefix the API lives under (part of the base URL), like Xingchao's `/kyyReactApiServer`. */
  pathPrefix?: string;
  /** The provider's error body for `status` with a short code and message. */
  errorBody(status: number, code: string, message: string): unknown;
  /** Matches an API call, or undefined for an unknown path (answered 404). */
  route(request: RecordedRequest, context: FakeContext): FakeRouteMatch | undefined;
}

const faultAnswers: Record<Exclude<HttpFault['fault'], 'malformedJson' | 'hang'>, { status: number; code: string; message: string }> = {
  status400: { status: 400, code: 'bad_request', message: 'invalid request parameters' },
  status401: { status: 401, code: 'unauthorized', message: 'missing or invalid API key' },
  status402: { status: 402, code: 'insufficient_balance', message: 'insufficient balance' },
  status429: { status: 429, code: 'rate_limited', message: 'too many requests' },
  status500: { status: 500, code: 'internal_error', message: 'internal server error' },
  status502: { status: 502, code: 'image_generation_failed', message: 'upstream image generation failed' },
};

function answerFault(fault: HttpFault, response: ServerResponse, definition: FakeDefinition): void {
  if (fault.fault === 'hang') return;
  if (fault.fault === 'malformedJson') {
    sendRaw(response, 200, '{"task_id": "unfinished', 'application/json');
    return;
  }
  const answer = faultAnswers[fault.fault];
  const headers: Record<string, string> = fault.fault === 'status429' ? { 'retry-after': fault.settings.retryAfter ?? '7' } : {};
  sendJson(response, answer.status, definition.errorBody(answer.status, answer.code, fault.settings.message ?? answer.message), headers);
}

/** Starts a provider fake from its definition. */
export async function startFakeProvider(definition: FakeDefinition, options: FakeProviderOptions): Promise<FakeProvider> {
  const apiKey = options.apiKey ?? 'test-key';
  const timing: TaskTiming = { latencyMs: options.latencyMs ?? 50, jitter: options.jitter ?? 0 };
  const faults = new FaultSwitch();
  let resultImage: ResultImageChoice = options.resultImage ?? 'small';
  // Built before the first request so result downloads never wait on sharp.
  await resultImageBytes(resultImage);

  let baseUrl = '';
  const context: FakeContext = {
    timing,
    faults,
    resultUrl: (id) => `${baseUrl}/files/${encodeURIComponent(id)}.png`,
    later: (callback, delayMs) => server.later(callback, delayMs),
  };

  const server = await startFakeHttpServer(async (request, response) => {
    if (request.method === 'GET' && request.path.startsWith('/files/')) {
      if (faults.takeResultNotFound()) {
        sendRaw(response, 404, 'Not Found', 'text/plain');
        return;
      }
      const bytes = await resultImageBytes(resultImage);
      sendRaw(response, 200, bytes, sniffImageType(bytes) ?? 'application/octet-stream');
      return;
    }
    const prefix = definition.pathPrefix ?? '';
    // The recorded request keeps the full path; routes see it without the prefix.
    const routed = request.path.startsWith(`${prefix}/`) ? { ...request, path: request.path.slice(prefix.length) } : undefined;
    const match = routed === undefined ? undefined : definition.route(routed, context);
    if (match === undefined) {
      sendJson(response, 404, definition.errorBody(404, 'not_found', `no route for ${request.method} ${request.path}`));
      return;
    }
    if (request.headers.authorization !== `Bearer ${apiKey}`) {
      sendJson(response, 401, definition.errorBody(401, 'unauthorized', 'missing or invalid API key'));
      return;
    }
    const fault = faults.takeHttpFault(match.endpoint);
    if (fault !== undefined) {
      answerFault(fault, response, definition);
      return;
    }
    await match.handle(routed ?? request, response);
  }, options.recordRequests === undefined ? {} : { recordRequests: options.recordRequests });
  baseUrl = server.baseUrl;

  return {
    baseUrl: `${baseUrl}${definition.pathPrefix ?? ''}`,
    apiKey,
    get requests() {
      return server.requests;
    },
    get requestCount() {
      return server.requestCount;
    },
    apiRequests: () => server.requests.filter((request) => !request.path.startsWith('/files/')),
    clearRequests: () => server.clearRequests(),
    setFault: (fault, settings) => faults.set(fault, settings),
    setLatency: (latencyMs, jitter) => {
      timing.latencyMs = latencyMs;
      if (jitter !== undefined) timing.jitter = jitter;
    },
    setResultImage: (choice) => {
      resultImage = choice;
      void resultImageBytes(choice);
    },
    resultUrl: context.resultUrl,
    close: () => server.close(),
  };
}

/** Collects validation problems for a 400 answer. */
export class Problems {
  readonly list: string[] = [];

  add(message: string): void {
    this.list.push(message);
  }

  /** Adds a problem unless `value` is one of `allowed` (or absent when optional). */
  oneOf(field: string, value: unknown, allowed: readonly string[], required = false): void {
    if (value === undefined && !required) return;
    if (typeof value !== 'string' || !allowed.includes(value)) {
      this.add(`${field} must be one of ${allowed.join(', ')}`);
    }
  }

  /** Adds a problem for each field name not in `allowed`. */
  onlyFields(names: readonly string[], allowed: readonly string[]): void {
    for (const name of names) if (!allowed.includes(name)) this.add(`unknown field: ${name}`);
  }

  get first(): string | undefined {
    return this.list[0];
  }
}
