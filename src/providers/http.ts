// The one HTTP stack every provider client uses: undici calls with a bearer key, timeouts, and error mapping.
import { request, type Dispatcher, type FormData } from 'undici';
import { defaultDispatcher } from '../core/http-dispatcher.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { BotError } from '../core/errors.ts';
import type { ProviderId } from '../core/request.ts';
import { contentRefusalError, type ProviderFailureText } from './content-refusal-error.ts';
import { describeProviderErrorCode, describeProviderMessage } from './response-fields.ts';

/** What every provider factory receives. */
export interface ProviderClientOptions {
  /** The provider's API key; sent only in the `Authorization` header, never in messages. */
  apiKey: string;
  /** API root without a trailing slash (`https://api.xenodia.xyz`); a path prefix is kept. */
  baseUrl: string;
  /** undici dispatcher (an `Agent` in tests or for connection tuning); our shared agent when unset. */
  dispatcher?: Dispatcher;
  /** Used for task timestamps and `Retry-After` dates. */
  clock?: Clock;
  /** Overrides the provider's default time limit for a create call, in milliseconds. */
  createTimeoutMs?: number;
  /** Overrides the time limit for one poll call, in milliseconds. */
  pollTimeoutMs?: number;
}

/** A time limit for one poll; status answers are small and quick. */
export const defaultPollTimeoutMs = 30_000;

/** One call to a provider. */
export interface ProviderCall {
  method: 'GET' | 'POST';
  /** Path under the base URL, starting with `/`. */
  path: string;
  /** A JSON-serializable object, or multipart fields built with undici's `FormData`. */
  body?: Record<string, unknown> | FormData;
  signal?: AbortSignal;
  /** Limit for the answer's headers and for each pause while its body arrives. */
  timeoutMs: number;
}

/** A successful (2xx) answer with its JSON body parsed. */
export interface ProviderAnswer {
  status: number;
  body: unknown;
}

/** Sends calls to one provider and turns every failure into a `BotError`. */
export interface ProviderHttp {
  /**
   * Sends one call, once. Nothing here retries: a create whose outcome is unknown (timeout,
   * 5xx, connection lost after sending) may already be charged, so resubmitting is the caller's
   * decision, and polls are retried by the scheduler.
   */
  send(call: ProviderCall): Promise<ProviderAnswer>;
  /** Resolves a result URL the provider may give relative to its API root. */
  absoluteUrl(url: string): string;
}

/** Milliseconds to wait from a `Retry-After` header (delta seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function headerValue(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The provider's own explanation and error code from an error body, trimmed, without the key. */
function providerFailure(text: string, apiKey: string): ProviderFailureText {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  const message = describeProviderMessage(parsed);
  const code = describeProviderErrorCode(parsed);
  return {
    ...(message === undefined ? {} : { message: redact(message, apiKey) }),
    ...(code === undefined ? {} : { code: redact(code, apiKey) }),
  };
}

/** Removes the key wherever a provider might echo it back, and caps the length for logs and users. */
export function redact(text: string, apiKey: string): string {
  const cleaned = apiKey.length >= 4 ? text.split(apiKey).join('[redacted]') : text;
  return cleaned.length > 300 ? `${cleaned.slice(0, 297)}...` : cleaned;
}

/**
 * Statuses whose body may say the content itself was refused. 401, 402 and 429 keep their own
 * meaning whatever their body says, and a 5xx leaves the outcome unknown, so only these are read.
 */
const contentRefusalStatuses: ReadonlySet<number> = new Set([400, 422]);

function statusError(providerId: ProviderId, status: number, failure: ProviderFailureText, retryAfterMs: number | undefined): BotError {
  const reason = failure.message;
  const suffix = reason ? `: ${reason}` : '';
  if (contentRefusalStatuses.has(status)) {
    const refusal = contentRefusalError(failure, { status });
    if (refusal !== undefined) return refusal;
  }
  if (status === 401 || status === 403) {
    return new BotError('provider_auth', `${providerId} refused the API key (HTTP ${status})${suffix}`, { status });
  }
  if (status === 402) {
    return new BotError('provider_billing', `${providerId} reports insufficient balance or credits (HTTP 402)${suffix}`, { status });
  }
  if (status === 429) {
    return new BotError('provider_rate_limited', `${providerId} is rate limiting requests (HTTP 429)${suffix}`, {
      status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  if (status === 408) {
    return new BotError('provider_timeout', `${providerId} timed out handling the request (HTTP 408)${suffix}`, { status });
  }
  if (status >= 400 && status < 500) {
    return new BotError('provider_rejected', `${providerId} rejected the request (HTTP ${status})${suffix}`, { status });
  }
  return new BotError('provider_failed', `${providerId} failed (HTTP ${status})${suffix}`, { status });
}

/**
 * Failures to open the connection: the request was never written, so no provider can have created
 * (or charged) anything. Errors after that (a reset, a timeout waiting for the answer) leave the
 * outcome of a create call unknown.
 */
const connectFailures: ReadonlySet<string> = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT',
]);

function transportError(providerId: ProviderId, error: unknown, signal: AbortSignal | undefined, timeoutMs: number): BotError {
  if (signal?.aborted) return new BotError('cancelled', `The call to ${providerId} was cancelled`, { cause: error });
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new BotError('provider_timeout', `${providerId} did not answer within ${Math.round(timeoutMs / 1000)} s`, {
      cause: error,
    });
  }
  // Only the error code goes into the message: it names the failure without echoing request details.
  return new BotError('provider_failed', `Could not reach ${providerId} (${code ?? 'network error'})`, {
    cause: error,
    ...(code !== undefined && connectFailures.has(code) ? { providerOutcome: 'not_sent' as const } : {}),
  });
}

/** Builds the HTTP helper for one provider. */
export function createProviderHttp(providerId: ProviderId, options: ProviderClientOptions): ProviderHttp {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const clock = options.clock ?? systemClock;

  async function send(call: ProviderCall): Promise<ProviderAnswer> {
    if (options.apiKey.trim() === '') {
      throw new BotError('provider_auth', `${providerId} has no API key configured`, { providerOutcome: 'not_sent' });
    }
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.apiKey}`,
      accept: 'application/json',
    };
    let body: string | FormData | undefined;
    if (call.body !== undefined && isFormData(call.body)) {
      // undici writes the multipart content type with its boundary itself.
      body = call.body;
    } else if (call.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.body);
    }

    let status: number;
    let text: string;
    let retryAfter: string | undefined;
    try {
      const answer = await request(`${baseUrl}${call.path}`, {
        method: call.method,
        headers,
        body,
        signal: call.signal,
        headersTimeout: call.timeoutMs,
        bodyTimeout: call.timeoutMs,
        dispatcher: options.dispatcher ?? defaultDispatcher(),
      });
      status = answer.statusCode;
      retryAfter = headerValue(answer.headers, 'retry-after');
      text = await answer.body.text();
    } catch (error) {
      throw transportError(providerId, error, call.signal, call.timeoutMs);
    }

    if (status < 200 || status >= 300) {
      const retryAfterMs = status === 429 ? parseRetryAfter(retryAfter, clock.now()) : undefined;
      throw statusError(providerId, status, providerFailure(text, options.apiKey), retryAfterMs);
    }
    try {
      return { status, body: JSON.parse(text) as unknown };
    } catch (error) {
      throw new BotError('provider_failed', `${providerId} answered HTTP ${status} with a body that is not JSON`, {
        status,
        cause: error,
      });
    }
  }

  function absoluteUrl(url: string): string {
    return new URL(url, `${baseUrl}/`).toString();
  }

  return { send, absoluteUrl };
}

function isFormData(body: Record<string, unknown> | FormData): body is FormData {
  return typeof (body as FormData).append === 'function' && typeof (body as FormData).getAll === 'function';
}

/** The error for an answer that parsed as JSON but does not have the documented shape. */
export function unexpectedShape(providerId: ProviderId, what: string, status?: number): BotError {
  return new BotError('provider_failed', `${providerId} sent an unexpected answer: ${what}`, {
    ...(status === undefined ? {} : { status }),
  });
}
