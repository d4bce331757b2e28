// Entry point of the Discord adapter: connects, registers the Delivery, and wires every handler.
// First import: undici 7 must own the global dispatcher before discord.js loads (see http-agents.ts).
import './http-agents.ts';
import { Events, type Client } from 'discord.js';
import type { Dispatcher } from 'undici';
import type { PlatformMetrics } from '../../core/bot-metrics.ts';
import type { Clock } from '../../core/clock.ts';
import type { Delivery } from '../../core/delivery.ts';
import type { ImagineService } from '../../core/imagine-service.ts';
import type { ProviderId } from '../../core/request.ts';
import { hostsOf, platformFileHosts } from '../../core/trusted-hosts.ts';
import type { Logger } from '../../log.ts';
import { connectDiscord, type ShardSelection } from './client.ts';
import type { DiscordContext } from './context.ts';
import { createDiscordDelivery } from './delivery.ts';
import { gatewayProblem } from './gateway-status.ts';
import { createInteractionListener } from './interaction-router.ts';
import { MessageImageCache } from './message-image-cache.ts';
import { RecentIds } from './recent-ids.ts';
import { handleReplyRemix } from './reply-remix.ts';
import { resumeIntake } from './resume-intake.ts';

export interface DiscordBotOptions {
  /** The bot token (DISCORD_TOKEN). */
  token: string;
  /** REST base override (DISCORD_API_URL); its host is also trusted for attachments. */
  apiUrl?: string;
  /** Gateway shards this process runs (DISCORD_SHARD_COUNT / DISCORD_SHARD_IDS); default every shard Discord recommends. */
  shards?: ShardSelection;
  service: ImagineService;
  logger: Logger;
  /** Hosts attachments may be downloaded from; default Discord's CDN plus the host of `apiUrl`. */
  attachmentHosts?: readonly string[];
  /** Least time between two progress edits of one message; default 3 s. */
  progressIntervalMs?: number;
  /** Dispatcher for attachment downloads (proxies, tests). */
  downloadDispatcher?: Dispatcher;
  /** Where REST calls and 429s are counted (default nowhere). */
  metrics?: PlatformMetrics;
  /** The delivery's clock: when interaction tokens expire and when rate-limit windows reset (tests move it). */
  clock?: Clock;
}

export interface DiscordBot {
  delivery: Delivery;
  client: Client;
  /** Whether MESSAGE_CONTENT was granted (else reply-to-remix needs a mention). */
  messageContent: boolean;
  /** Undefined while every gateway shard of this process is ready; otherwise what is not (for /readyz). */
  connectionProblem(): string | undefined;
  stop(): Promise<void>;
}

/** The largest attachment downloaded (above every provider's per-image limit). */
const maxAttachmentBytes = 32 * 1024 * 1024;
const attachmentTimeoutMs = 30_000;

/**
 * Connects to Discord, waits until ready, registers the Delivery with `service` and handles
 * /imagine, /quota, /jobs, /show, /imagine-admin, /imagine-settings, the Remix command, buttons
 * (Cancel included), modals and reply-to-remix; requests acknowledged by a process that stopped
 * before starting their job are finished through the Delivery.
 */
export async function startDiscordBot(options: DiscordBotOptions): Promise<DiscordBot> {
  const logger = options.logger;
  const { client, messageContent, closeAgent } = await connectDiscord(
    {
      token: options.token,
      ...(options.apiUrl === undefined ? {} : { apiUrl: options.apiUrl }),
      ...(options.shards === undefined ? {} : { shards: options.shards }),
      ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    },
    logger,
  );
  const displayNames = new Map<ProviderId, string>(options.service.providers().map((choice) => [choice.id, choice.displayName]));
  const names = (id: ProviderId) => displayNames.get(id) ?? id;
  const delivery = createDiscordDelivery({
    client,
    names,
    logger,
    ...(options.progressIntervalMs === undefined ? {} : { progressIntervalMs: options.progressIntervalMs }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  const context: DiscordContext = {
    client,
    service: options.service,
    delivery,
    logger,
    names,
    intake: {
      trustedHosts: options.attachmentHosts ?? [...platformFileHosts, ...hostsOf([options.apiUrl])],
      maxBytes: maxAttachmentBytes,
      timeoutMs: attachmentTimeoutMs,
      ...(options.downloadDispatcher === undefined ? {} : { dispatcher: options.downloadDispatcher }),
    },
    messageImages: new MessageImageCache(),
    handledMessages: new RecentIds(),
    messageContent,
  };
  // Finishing a request another process acknowledged needs the whole context (client, service,
  // download settings), which itself holds the delivery: so it is attached once both exist.
  delivery.resumeIntake = (intake) => resumeIntake(context, intake);
  options.service.registerDelivery(delivery);

  const onInteraction = createInteractionListener(context);
  const onMessage = (message: Parameters<typeof handleReplyRemix>[1]) =>
    handleReplyRemix(context, message).catch((error: unknown) => logger.error({ err: error, messageId: message.id }, 'reply-to-remix failed'));
  client.on(Events.InteractionCreate, (interaction) => void onInteraction(interaction));
  client.on(Events.MessageCreate, (message) => void onMessage(message));
  client.on(Events.Error, (error) => logger.error({ err: error }, 'discord client error'));
  // Which shards this process holds decides which servers' commands reach it; operators running several processes need to see it.
  const shardIds = [...client.ws.shards.keys()].sort((left, right) => left - right);
  logger.info({ user: client.user?.tag, messageContent, shards: shardIds, shardCount: client.options.shardCount }, 'connected to Discord');

  return {
    delivery,
    client,
    messageContent,
    connectionProblem: () => gatewayProblem(client),
    async stop() {
      client.removeAllListeners(Events.InteractionCreate);
      client.removeAllListeners(Events.MessageCreate);
      await delivery.stop();
      await client.destroy();
      await closeAgent();
    },
  };
}
