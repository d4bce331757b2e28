// Entry point of the Slack adapter: starts the Bolt app with every handler and registers Slack's Delivery.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PlatformMetrics } from '../../core/bot-metrics.ts';
import type { Delivery } from '../../core/delivery.ts';
import type { ImagineService } from '../../core/imagine-service.ts';
import { hostsOf, platformFileHosts } from '../../core/trusted-hosts.ts';
import type { Logger } from '../../log.ts';
import { registerActionHandlers } from './action-handlers.ts';
import { createBoltApp } from './app-setup.ts';
import { registerCancelHandler } from './cancel-handlers.ts';
import { registerImagineCommand } from './command-handler.ts';
import { createSlackDelivery, defaultUploadLimitBytes } from './delivery.ts';
import { resumeSlackIntake } from './intake-resume.ts';
import { createJobLauncher } from './job-launcher.ts';
import { registerMessageHandlers } from './message-handlers.ts';
import { registerRemixHandlers } from './remix-handlers.ts';
import type { SlackRuntime } from './runtime.ts';
import { slackErrorCode } from './slack-payloads.ts';
import { createSlackPacing } from './slack-pacing.ts';
import { createStatusMessages } from './status-messages.ts';
import { createUserDirectory } from './user-directory.ts';

/** Options of `startSlackApp`; `main.ts` fills them from the configuration. */
export interface SlackAppOptions {
  /** `xoxb-…` (SLACK_BOT_TOKEN). */
  botToken: string;
  /** `xapp-…` (SLACK_APP_TOKEN): Socket Mode. Without it the app runs in HTTP mode. */
  appToken?: string;
  /** SLACK_SIGNING_SECRET: required in HTTP mode. */
  signingSecret?: string;
  /** SLACK_API_URL: Web API base override (proxies, local fakes). */
  apiUrl?: string;
  /** HTTP mode's port (PORT); 0 picks a free one (tests). */
  port: number;
  service: ImagineService;
  logger: Logger;
  /** Hosts user files may be downloaded from; default Slack's file host plus the host of `apiUrl`. */
  attachmentHosts?: readonly string[];
  /** Least time between two progress edits of one message (default 3 s). */
  progressIntervalMs?: number;
  /** Results larger than this are re-encoded before upload (default 25 MB). */
  uploadLimitBytes?: number;
  /** Latest ack after a request arrives, in ms (default 2 s, inside Slack's 3 s). */
  ackDeadlineMs?: number;
  /** Where Web API calls and 429s are counted (default nowhere). */
  metrics?: PlatformMetrics;
}

/** A running Slack app. */
export interface SlackApp {
  /** Also registered with the service; exposed for tests and for main's logging. */
  delivery: Delivery;
  /** HTTP mode: the port actually listened on; undefined in Socket Mode. */
  port: number | undefined;
  /** Undefined while the Socket Mode connection is open or the HTTP receiver listens; otherwise what is not (for /readyz). */
  connectionProblem(): string | undefined;
  /** Disconnects from Slack (Socket Mode) or closes the HTTP server. Jobs keep running in the service. */
  stop(): Promise<void>;
}

/** Starts the Slack app (Socket Mode when `appToken` is set, HTTP mode otherwise) and registers its Delivery. */
export async function startSlackApp(options: SlackAppOptions): Promise<SlackApp> {
  const { service, logger } = options;
  const ackDeadlineMs = options.ackDeadlineMs ?? 2000;
  const { app, disconnect, socketProblem } = createBoltApp({ ...options, ackDeadlineMs });
  let identity;
  try {
    identity = await app.client.auth.test();
    await app.init();
  } catch (error) {
    const code = slackErrorCode(error);
    throw new Error(`Slack refused SLACK_BOT_TOKEN${code ? ` (${code})` : ''}: check the token and SLACK_API_URL`, { cause: error });
  }
  const botUserId = identity.user_id;
  if (!botUserId) throw new Error('Slack auth.test did not name the bot user: is SLACK_BOT_TOKEN a bot token (xoxb-…)?');

  // Status, progress and outcome calls go through the pacer (and its own client), interactive answers through Bolt's.
  const pacing = createSlackPacing({
    botToken: options.botToken,
    ...(options.apiUrl === undefined ? {} : { apiUrl: options.apiUrl }),
    logger,
    ...(options.progressIntervalMs === undefined ? {} : { progressIntervalMs: options.progressIntervalMs }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  });
  pacing.watch(app.client);
  const statuses = createStatusMessages({ pacing, botUserId, logger });
  const users = createUserDirectory({ client: app.client, service, logger });
  const runtime: SlackRuntime = {
    service,
    client: app.client,
    pacing,
    botUserId,
    intake: {
      client: app.client,
      botToken: options.botToken,
      trustedHosts: options.attachmentHosts ?? [...platformFileHosts, ...hostsOf([options.apiUrl])],
    },
    launcher: createJobLauncher({ service, pacing, statuses, logger }),
    users,
    uploadLimitBytes: options.uploadLimitBytes ?? defaultUploadLimitBytes,
    logger,
    ackDeadlineMs,
  };
  registerImagineCommand(app, runtime);
  registerMessageHandlers(app, runtime);
  registerActionHandlers(app, runtime);
  registerRemixHandlers(app, runtime);
  registerCancelHandler(app, runtime);
  app.error(async (error) => {
    logger.error({ err: error }, 'a Slack handler failed');
  });

  const delivery = createSlackDelivery({
    pacing,
    statuses,
    logger,
    uploadLimitBytes: runtime.uploadLimitBytes,
    users,
    resumeIntake: (intake) => resumeSlackIntake(runtime, intake),
  });
  service.registerDelivery(delivery);

  const started = options.appToken ? await app.start() : await app.start(options.port);
  const server = options.appToken ? undefined : (started as Server | undefined);
  const address = server?.address() as AddressInfo | null | undefined;
  logger.info({ mode: options.appToken ? 'socket' : 'http', bot: botUserId, port: address?.port }, 'connected to Slack');
  return {
    delivery,
    port: address?.port,
    connectionProblem: socketProblem ?? (() => (server?.listening ? undefined : 'HTTP receiver not listening')),
    async stop() {
      await disconnect();
      await delivery.stop();
      await pacing.stop();
    },
  };
}
