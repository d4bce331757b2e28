// Creates the discord.js client with the least intents and its gateway shards, and logs it in (falling back when MESSAGE_CONTENT is not enabled).
import { createDiscordRestAgent } from './http-agents.ts';
import { Client, Events, GatewayIntentBits, Options, type ClientOptions, type RESTOptions } from 'discord.js';
import type { PlatformMetrics } from '../../core/bot-metrics.ts';
import type { Logger } from '../../log.ts';
import { watchRestCalls } from './rest-metrics.ts';
import { noMentions } from './status-message.ts';

/** Which gateway shards this process runs (DISCORD_SHARD_COUNT / DISCORD_SHARD_IDS). */
export interface ShardSelection {
  /** Total shards across every process; undefined takes the count Discord recommends (GET /gateway/bot). */
  count: number | undefined;
  /** The shards this process runs; undefined runs all `count` of them. */
  ids: number[] | undefined;
}

export interface ClientSettings {
  /** REST base (`https://discord.com/api` by default; DISCORD_API_URL for proxies and the local fake). */
  apiUrl?: string;
  /** Ask for MESSAGE_CONTENT (privileged: it must be switched on in the Developer Portal). */
  messageContent: boolean;
  /** The HTTP agent for Discord's REST API (see http-agents.ts). */
  agent: RESTOptions['agent'];
  /** Gateway shards to run; default every shard Discord recommends. */
  shards?: ShardSelection;
}

/**
 * The discord.js shard options for `selection`. Without a count, 'auto' asks /gateway/bot: discord.js's own
 * default is a single shard 0 of 1, which would silently miss the events of every other shard.
 */
export function shardOptions(selection: ShardSelection | undefined): Pick<ClientOptions, 'shards' | 'shardCount'> {
  if (selection?.count === undefined) return { shards: 'auto' };
  const ids = selection.ids ?? Array.from({ length: selection.count }, (_, index) => index);
  // shardCount must be explicit: given only `shards`, discord.js takes their number as the total.
  return { shards: ids, shardCount: selection.count };
}

/** A client with Guilds + GuildMessages (+ MessageContent when asked), no pings by default, small caches. */
export function createDiscordClient(settings: ClientSettings): Client {
  const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages];
  if (settings.messageContent) intents.push(GatewayIntentBits.MessageContent);
  return new Client({
    intents,
    allowedMentions: noMentions,
    // Reply-to-remix only needs recent messages; a small cache keeps memory flat on busy servers.
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 200 }),
    rest: { agent: settings.agent, ...(settings.apiUrl === undefined ? {} : { api: settings.apiUrl }) },
    ...shardOptions(settings.shards),
  });
}

/** Discord closes the gateway with 4014 when an intent is requested that the portal has not enabled. */
function isDisallowedIntents(error: unknown): boolean {
  return error instanceof Error && /disallowed intents/i.test(error.message);
}

/** Logs in and resolves once the client is ready (guilds received), not merely connected. */
async function loginAndWait(client: Client, token: string): Promise<void> {
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(token);
  await ready;
}

/** What `connectDiscord` needs: the token, an optional REST base and the shards to run. */
export interface DiscordConnection {
  token: string;
  apiUrl?: string;
  shards?: ShardSelection;
  /** Where REST calls and 429s are counted, from the first call of the login on. */
  metrics?: PlatformMetrics;
}

/**
 * Logs in with MESSAGE_CONTENT, and without it when Discord refuses the intent. Returns the ready
 * client and whether message content is available (reply-to-remix then needs a mention).
 */
export async function connectDiscord(
  connection: DiscordConnection,
  logger: Logger,
): Promise<{ client: Client; messageContent: boolean; closeAgent(): Promise<void> }> {
  const rest = createDiscordRestAgent();
  const base = {
    agent: rest.agent,
    ...(connection.apiUrl === undefined ? {} : { apiUrl: connection.apiUrl }),
    ...(connection.shards === undefined ? {} : { shards: connection.shards }),
  };
  const token = connection.token;
  const create = (messageContent: boolean) => {
    const client = createDiscordClient({ ...base, messageContent });
    if (connection.metrics) watchRestCalls(client, connection.metrics);
    return client;
  };
  const withContent = create(true);
  try {
    await loginAndWait(withContent, token);
    return { client: withContent, messageContent: true, closeAgent: rest.close };
  } catch (error) {
    await withContent.destroy();
    if (!isDisallowedIntents(error)) {
      await rest.close();
      throw error;
    }
  }
  logger.warn(
    'The Message Content intent is not enabled for this application in the Discord Developer Portal; ' +
      'reply-to-remix will only work when the reply mentions the bot.',
  );
  const withoutContent = create(false);
  try {
    await loginAndWait(withoutContent, token);
  } catch (error) {
    await withoutContent.destroy();
    await rest.close();
    throw error;
  }
  return { client: withoutContent, messageContent: false, closeAgent: rest.close };
}
