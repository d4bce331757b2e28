// Creates the Bolt app: Socket Mode with an app-level token, HTTP mode with the signing secret otherwise.
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type Logger as BoltLogger } from '@slack/bolt';
import type { PlatformMetrics } from '../../core/bot-metrics.ts';
import type { Logger } from '../../log.ts';
import { countingFetch } from './api-metrics.ts';
import { holdEventAcks } from './event-ack-gate.ts';
import { watchSocketMode } from './socket-state.ts';

/** What the Bolt app needs: tokens, the Web API base, the HTTP port and a logger. */
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
  /** Latest ack of an event after it arrives, in ms: events are acked once their request is stored (see `holdEventAcks`). */
  ackDeadlineMs: number;
  logger: Logger;
  /** Where Web API calls and 429s are counted (default nowhere). */
  metrics?: PlatformMetrics;
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

/** A Bolt app (not yet started) and how to take it off Slack again. */
export interface BoltSetup {
  app: App;
  /** Closes the Socket Mode connection (waiting for the close handshake) or the HTTP server. */
  disconnect(): Promise<void>;
  /** Socket Mode: undefined while the connection is open, otherwise why not. Undefined in HTTP mode (see `startSlackApp`). */
  socketProblem?: () => string | undefined;
}

/** Gives up waiting for a clean close after this long; the process may be exiting anyway. */
const disconnectTimeoutMs = 5000;

/**
 * Creates the Bolt app. Initialization is deferred so a bad token fails `init()` with a clear error
 * instead of an unhandled rejection from the constructor's own token check.
 */
export function createBoltApp(options: BoltAppOptions): BoltSetup {
  const clientOptions = {
    ...(options.apiUrl ? { slackApiUrl: normalizeApiUrl(options.apiUrl) } : {}),
    // A few quick retries: a progress edit retried for minutes would only hold up the next one.
    retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5000 },
    timeout: 60_000,
    // Every WebClient Bolt builds (per workspace, for Socket Mode's apps.connections.open) gets these options.
    ...(options.metrics ? { fetch: countingFetch(options.metrics) } : {}),
  };
  const logger = toBoltLogger(options.logger);
  const shared = { token: options.botToken, logger, clientOptions, deferInitialization: true };
  if (options.appToken) {
    // Our own receiver, so stopping can wait for the WebSocket to close (Bolt's stop does not).
    const receiver = holdEventAcks(new SocketModeReceiver({ appToken: options.appToken, logger, installerOptions: { clientOptions } }), options.ackDeadlineMs);
    const app = new App({ ...shared, receiver, socketMode: true });
    return {
      app,
      disconnect: () => withTimeout(receiver.client.disconnect(), disconnectTimeoutMs),
      socketProblem: watchSocketMode(receiver.client),
    };
  }
  if (!options.signingSecret) throw new Error('Slack HTTP mode needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN for Socket Mode)');
  // Bolt's default HTTP receiver, built here so its event acks can be held like Socket Mode's.
  const receiver = holdEventAcks(new HTTPReceiver({ signingSecret: options.signingSecret, port: options.port, logger }), options.ackDeadlineMs);
  const app = new App({ ...shared, receiver });
  return { app, disconnect: () => withTimeout(app.stop().then(() => undefined), disconnectTimeoutMs) };
}

async function withTimeout(work: Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
