// One error type for the whole bot: a stable `code` the adapters map to user text, and whether retrying can help.

/** Every failure the bot can report. Adapters translate these codes into user-facing text. */
export const errorCodes = [
  'invalid_request',
  /** The prompt breaks one of the operator's blocked terms; refused before anything is reserved or sent. */
  'prompt_blocked',
  /** The community allows the bot only in other channels; refused before anything is reserved or sent. */
  'channel_not_allowed',
  'quota_exceeded',
  'provider_auth',
  'provider_billing',
  'provider_rate_limited',
  'provider_rejected',
  /** The provider refused the content itself (safety, policy, prohibited or blocked content); the same request would be refused again. */
  'content_refused',
  'provider_failed',
  'provider_timeout',
  /** Neither the default provider nor any of PROVIDER_FALLBACKS could take the request (see failover). */
  'provider_unavailable',
  'download_failed',
  'upload_too_large',
  'platform_failed',
  'cancelled',
  'lease_lost',
  'stopping',
  'internal',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** Codes where trying the same thing again later can succeed without the user changing anything. */
const retryableByDefault: ReadonlySet<ErrorCode> = new Set([
  'provider_rate_limited',
  'provider_failed',
  'provider_timeout',
  'provider_unavailable',
  'download_failed',
  'platform_failed',
]);

export interface BotErrorOptions {
  /** Overrides the code's default retryability. */
  retryable?: boolean;
  /** For `provider_rate_limited`: how long the provider asked us to wait (from `Retry-After`). */
  retryAfterMs?: number;
  /** HTTP status of the provider answer that caused this error, when there was one. */
  status?: number;
  /** What the provider is known to have done with the request (see `ProviderOutcome`); unknown when unset. */
  providerOutcome?: ProviderOutcome;
  /** The underlying error (network failure, parse error, ...). Never shown to users. */
  cause?: unknown;
  /** For `prompt_blocked`: the blocked-term entry the prompt broke, as its author wrote it. */
  blockedRule?: string;
  /** For `prompt_blocked`: whose list the entry is on. */
  blockedSource?: 'operator' | 'server';
}

/**
 * What a failed provider call tells us about the provider's side, when it tells anything:
 * `not_sent` — the connection could not even be opened, so nothing was created or charged;
 * `task_failed` — the provider accepted the task and then reported it failed.
 */
export type ProviderOutcome = 'not_sent' | 'task_failed';

/**
 * The error every layer throws. `message` is safe to show an operator (no secrets, no raw bodies
 * beyond the provider's own short message); user-facing wording lives in each adapter's text map.
 */
export class BotError extends Error {
  /** Stable machine-readable reason. */
  readonly code: ErrorCode;
  /** True when the same request may succeed later without changes. */
  readonly retryable: boolean;
  /** Milliseconds the remote party asked us to wait before trying again. */
  readonly retryAfterMs: number | undefined;
  /** HTTP status that produced the error, if any. */
  readonly status: number | undefined;
  /** What the provider is known to have done with the request; undefined when unknown. */
  readonly providerOutcome: ProviderOutcome | undefined;
  /** For `prompt_blocked`: the entry the prompt broke, so each adapter words the refusal itself. */
  readonly blockedRule: string | undefined;
  /** For `prompt_blocked`: whose list the broken entry is on (the operator's or the community's). */
  readonly blockedSource: 'operator' | 'server' | undefined;

  constructor(code: ErrorCode, message: string, options: BotErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BotError';
    this.code = code;
    this.retryable = options.retryable ?? retryableByDefault.has(code);
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
    this.providerOutcome = options.providerOutcome;
    this.blockedRule = options.blockedRule;
    this.blockedSource = options.blockedSource;
  }

  /** Plain data for storage in SQLite and for delivery to adapters. */
  toJSON(): SerializedError {
    return { code: this.code, message: this.message, retryable: this.retryable };
  }
}

/** The stored form of a `BotError`. */
export interface SerializedError {
  code: ErrorCode;
  message: string;
  retryable: boolean;
}

export function isBotError(value: unknown): value is BotError {
  return value instanceof BotError;
}

/** Turns anything thrown into a `BotError`, keeping `BotError`s as they are. */
export function toBotError(value: unknown, fallback: ErrorCode = 'internal'): BotError {
  if (value instanceof BotError) return value;
  if (value instanceof Error && value.name === 'AbortError') {
    return new BotError('cancelled', 'The operation was cancelled', { cause: value });
  }
  const message = value instanceof Error ? value.message : String(value);
  return new BotError(fallback, message, { cause: value });
}

/** Shorthand for the most common error: the user asked for something we will not send. */
export function invalidRequest(message: string): BotError {
  return new BotError('invalid_request', message);
}

/** The refusal of a prompt that breaks the blocked-term entry `rule`; only its requester is told which. */
export function promptBlocked(rule: string, source: 'operator' | 'server' = 'operator'): BotError {
  return new BotError('prompt_blocked', `The prompt breaks the blocked term "${rule}".`, { blockedRule: rule, blockedSource: source });
}
