// Creates the Bolt app: Socket Mode with an app-level token, HTTP mode with the signing secret otherwise.
import { App, LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../log.ts';

export interface BoltAppOptions {
  botToken: string;
  /** `xapp-…`: Socket Mode, no public URL needed. */
  appToken?: string;
  /** HTTP mode: requests are verified with it (v0 HMAC, timestamps older than 5 minutes refused). */
  signingSecret?: string;
  /** Web API base (`SLACK_API_URL`), for proxies and local fakes. */
  apiUrl?: string;
  /** HTTP mode's listening port. */
  port: number;
  logger: Logger;
}

const boltLevels: Record<string, LogLevel> = {
  trace: LogLevel.DEBUG,
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
};

/** Bolt's logger interface over pino; pino's level stays the only setting, so Bolt's `setLevel` is ignored. */
export function toBoltLogger(logger: Logger): BoltLogger {
  const line = (parts: unknown[]) => parts.map((part) => (typeof part === 'string' ? part : part instanceof Error ? part.message : JSON.stringify(part))).join(' ');
  return {
    debug: (...parts: unknown[]) => logger.debug(line(parts)),
    info: (...parts: unknown[]) => logger.info(line(parts)),
    warn: (...parts: unknown[]) => logger.warn(line(parts)),
    error: (...parts: unknown[]) => logger.error(line(parts)),
    setLevel: () => undefined,
    getLevel: () => boltLevels[logger.level] ?? LogLevel.ERROR,
    setName: () => undefined,
  };
}

/** `http://host/api` → `http://host/api/`: the WebClient appends method names directly. */
export function normalizeApiUrl(apiUrl: string): string {
  return apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`;
}

/**
 * The Bolt app, not yet started. Initialization is deferred so a bad token fails `init()` with a clear
 * error instead of an unhandled rejection from the constructor's own token check.
 */
export function createBoltApp(options: BoltAppOptions): App {
  const clientOptions = {
    ...(options.apiUrl ? { slackApiUrl: normalizeApiUrl(options.apiUrl) } : {}),
    // A few quick retries: a progress edit retried for minutes would only hold up the next one.
    retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5000 },
    timeout: 60_000,
  };
  const shared = {
    token: options.botToken,
    logger: toBoltLogger(options.logger),
    clientOptions,
    deferInitialization: true,
  };
  if (options.appToken) return new App({ ...shared, appToken: options.appToken, socketMode: true });
  if (!options.signingSecret) throw new Error('Slack HTTP mode needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN for Socket Mode)');
  return new App({ ...shared, signingSecret: options.signingSecret, port: options.port });
}
