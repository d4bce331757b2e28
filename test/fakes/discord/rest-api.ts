// The fake REST API under /api/v10: the routes discord.js calls for login, interactions, webhooks and messages.
import { nextSnowflake } from './ids.ts';
import type { InteractionRegistry } from './interactions.ts';
import type { MessageStore } from './message-store.ts';
import { DiscordHttpError, type RecordedFile } from './records.ts';
import type { FakeWorld } from './world.ts';

/** A request after parsing, as the routes see it. */
export interface RestRequest {
  method: string;
  /** Decoded path segments under /api/v10. */
  segments: string[];
  query: URLSearchParams;
  authorization: string | undefined;
  body: Record<string, unknown> | undefined;
  files: RecordedFile[];
}

export interface RestAnswer {
  status: number;
  body: unknown;
}

/** A canned failure for calls matching `method` and `path` (a regular expression over the decoded path). */
export interface InjectedFailure {
  method?: string;
  path: RegExp;
  /** When set, only calls that do (true) or do not (false) upload files match. */
  withFiles?: boolean;
  status: number;
  body: Record<string, unknown>;
  /** How many matching calls fail; decremented on each. */
  times: number;
}

export interface RestApiOptions {
  world: FakeWorld;
  messages: MessageStore;
  interactions: InteractionRegistry;
  token: string;
  gatewayUrl: () => string;
  /** What GET /gateway/bot announces: the recommended shard count, IDENTIFYs allowed per 5 s, sessions started so far. */
  gatewayInfo: () => { shards: number; maxConcurrency: number; sessionsStarted: number };
  /** Largest accepted file in bytes; larger uploads get 413 / 40005. */
  attachmentSizeLimit: () => number;
}

const ok = (body: unknown): RestAnswer => ({ status: 200, body });

/** Answers REST calls against the fake's state. */
export class FakeRestApi {
  readonly failures: InjectedFailure[] = [];
  /** Registered commands by scope (`global` or the guild id). */
  readonly commands = new Map<string, Array<Record<string, unknown>>>();

  constructor(private readonly options: RestApiOptions) {}

  handle(request: RestRequest): RestAnswer {
    const path = `/${request.segments.join('/')}`;
    const failure = this.failures.find((candidate) =>
      candidate.times > 0 && candidate.path.test(path) && (candidate.method === undefined || candidate.method === request.method) &&
      (candidate.withFiles === undefined || candidate.withFiles === request.files.length > 0));
    if (failure) {
      failure.times -= 1;
      return { status: failure.status, body: failure.body };
    }
    const limit = this.options.attachmentSizeLimit();
    if (request.files.some((file) => file.data.byteLength > limit)) {
      throw new DiscordHttpError(413, 40005, 'Request entity too large');
    }
    const [first] = request.segments;
    if (first === 'interactions') return this.interactionRoute(request);
    if (first === 'webhooks') return this.webhookRoute(request);
    if (request.authorization !== `Bot ${this.options.token}`) throw new DiscordHttpError(401, 0, '401: Unauthorized');
    if (first === 'gateway') return this.gatewayRoute();
    if (first === 'users' && request.segments[1] === '@me') return ok(this.options.world.botUser);
    if (first === 'applications' || first === 'oauth2') return this.applicationRoute(request);
    if (first === 'channels') return this.channelRoute(request);
    throw new DiscordHttpError(404, 0, `404: Not Found (${request.method} ${path})`);
  }

  private gatewayRoute(): RestAnswer {
    const info = this.options.gatewayInfo();
    const total = 1000;
    return ok({
      url: this.options.gatewayUrl(), shards: info.shards,
      session_start_limit: {
        total, remaining: Math.max(0, total - info.sessionsStarted), reset_after: 86_400_000, max_concurrency: info.maxConcurrency,
      },
    });
  }

  private interactionRoute(request: RestRequest): RestAnswer {
    const [, id, token, action] = request.segments;
    if (request.method !== 'POST' || action !== 'callback' || !id || !token) throw new DiscordHttpError(405, 0, '405: Method Not Allowed');
    const withResponse = request.query.get('with_response') === 'true';
    const answer = this.options.interactions.callback(id, token, request.body ?? {}, request.files, withResponse);
    return answer === undefined ? { status: 204, body: undefined } : ok(answer);
  }

  private webhookRoute(request: RestRequest): RestAnswer {
    const [, applicationId, token, kind, messageId] = request.segments;
    const { interactions, messages, world } = this.options;
    if (applicationId !== world.applicationId || !token) throw new DiscordHttpError(404, 10015, 'Unknown Webhook');
    if (kind === undefined && request.method === 'POST') return ok(interactions.followUp(token, request.body, request.files));
    if (kind !== 'messages' || !messageId) throw new DiscordHttpError(404, 0, '404: Not Found');
    const message = interactions.webhookMessage(token, messageId);
    if (request.method === 'GET') return ok(message);
    if (request.method === 'PATCH') return ok(messages.edit(message, request.body, request.files));
    if (request.method === 'DELETE') {
      messages.delete(message.id);
      return { status: 204, body: undefined };
    }
    throw new DiscordHttpError(405, 0, '405: Method Not Allowed');
  }

  private applicationRoute(request: RestRequest): RestAnswer {
    const { world } = this.options;
    const segments = request.segments[0] === 'oauth2' ? request.segments.slice(1) : request.segments;
    const [, applicationId, section, guildId, guildSection] = segments;
    if (applicationId === '@me') {
      return ok({ id: world.applicationId, name: world.botUser.username, description: '', flags: 0, bot_public: true, bot: world.botUser });
    }
    if (applicationId !== world.applicationId) throw new DiscordHttpError(404, 10002, 'Unknown Application');
    const scope = section === 'commands' ? 'global' : section === 'guilds' && guildSection === 'commands' ? guildId : undefined;
    if (scope === undefined) throw new DiscordHttpError(404, 0, '404: Not Found');
    if (request.method === 'GET') return ok(this.commands.get(scope) ?? []);
    const submitted: unknown = request.body;
    if (request.method !== 'PUT' || !Array.isArray(submitted)) throw new DiscordHttpError(400, 50035, 'Invalid Form Body');
    const registered = (submitted as Array<Record<string, unknown>>).map((command) => ({
      ...command, id: nextSnowflake(), application_id: world.applicationId, version: nextSnowflake(),
      ...(scope === 'global' ? {} : { guild_id: scope }),
    }));
    this.commands.set(scope, registered);
    return ok(registered);
  }

  private channelRoute(request: RestRequest): RestAnswer {
    const { world, messages } = this.options;
    const [, channelId, section, messageId] = request.segments;
    const channel = channelId === undefined ? undefined : world.channel(channelId);
    if (!channel || !channelId) throw new DiscordHttpError(404, 10003, 'Unknown Channel');
    if (section === undefined && request.method === 'GET') return ok(channel);
    if (section !== 'messages') throw new DiscordHttpError(404, 0, '404: Not Found');
    if (messageId === undefined && request.method === 'POST') {
      const body = request.body ?? {};
      const reference = body['message_reference'] as Record<string, unknown> | undefined;
      const replyTo = typeof reference?.['message_id'] === 'string' ? reference['message_id'] : undefined;
      if (replyTo !== undefined && reference?.['fail_if_not_exists'] !== false) messages.require(channelId, replyTo);
      return ok(messages.create({
        channelId, author: world.botUser, content: typeof body['content'] === 'string' ? body['content'] : '',
        attachments: messages.attachUploads(channelId, request.files, body['attachments']),
        components: Array.isArray(body['components']) ? body['components'] : [], flags: Number(body['flags'] ?? 0),
        ...(replyTo !== undefined && messages.get(replyTo) ? { replyToMessageId: replyTo } : {}),
        allowedMentions: body['allowed_mentions'] as Record<string, unknown> | undefined,
      }));
    }
    if (messageId === undefined && request.method === 'GET') {
      // Newest first, like Discord; `after` and `limit` are the only filters the bot uses.
      const after = request.query.get('after');
      const limit = Number(request.query.get('limit') ?? 50);
      const listed = messages.inChannel(channelId).filter((message) => after === null || BigInt(message.id) > BigInt(after));
      return ok(listed.slice(0, limit).reverse());
    }
    if (messageId === undefined) throw new DiscordHttpError(405, 0, '405: Method Not Allowed');
    const message = messages.require(channelId, messageId);
    if (request.method === 'GET') return ok(message);
    if (request.method === 'PATCH') {
      if (message.author.id !== world.botUser.id) throw new DiscordHttpError(403, 50005, 'Cannot edit a message authored by another user');
      return ok(messages.edit(message, request.body, request.files));
    }
    if (request.method === 'DELETE') {
      messages.delete(messageId);
      return { status: 204, body: undefined };
    }
    throw new DiscordHttpError(405, 0, '405: Method Not Allowed');
  }
}
