// A local Discord for tests: REST on /api/v10, a gateway WebSocket and a CDN on one 127.0.0.1 port.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CdnHolds, type HeldDownload } from './cdn-holds.ts';
import { FakeGateway, intentBits } from './gateway.ts';
import { nextSnowflake } from './ids.ts';
import { buttonData, messageCommandData, modalSubmitData, slashCommandData, type OptionValue } from './interaction-payloads.ts';
import { InteractionRegistry, type FakeInteraction } from './interactions.ts';
import { MessageStore, type FakeAttachment, type FakeMessage } from './message-store.ts';
import { parseBody } from './multipart.ts';
import { DiscordRateLimiter, discordReportedLimits, type DiscordRateLimits, type RecordedRateLimit } from './rate-limits.ts';
import { DiscordHttpError, type RecordedCall } from './records.ts';
import { FakeRestApi, type InjectedFailure } from './rest-api.ts';
import { RestHolds, type CallMatch, type HeldAnswers } from './rest-holds.ts';
import { snowflakeOnShard } from './shards.ts';
import { FakeWorld, ownerPermissions, type FakeChannel, type FakeGuild, type FakeRole, type FakeUser } from './world.ts';

export type { FakeAttachment, FakeChannel, FakeGuild, FakeRole, FakeInteraction, FakeMessage, FakeUser, HeldAnswers, HeldDownload, RecordedCall, RecordedRateLimit };
export { shardOf } from './shards.ts';
export { buttonIds } from './interaction-payloads.ts';

export interface FakeDiscordOptions {
  /** Largest file accepted per upload (and announced in interactions); Discord's default is 10 MiB. */
  attachmentSizeLimit?: number;
  /**
   * The `attachment_size_limit` interactions announce (default: the enforced limit). Setting it above
   * the enforced limit makes the bot meet a 413 it did not expect.
   */
  announcedAttachmentSizeLimit?: number;
  /** The portal's MESSAGE_CONTENT switch; when false, a client asking for the intent is closed with 4014. */
  messageContentAllowed?: boolean;
  /** How long after INTERACTION_CREATE a first answer is accepted (Discord: 3 s). */
  ackWindowMs?: number;
  /** Shards GET /gateway/bot recommends (what discord.js runs when no shard count is configured); default 1. */
  recommendedShards?: number;
  /**
   * `session_start_limit.max_concurrency`: IDENTIFYs allowed per 5 s, one per bucket `shard_id % max_concurrency`.
   * Default 1, as for every bot below 150,000 servers: discord.js then identifies its shards 5 s apart.
   */
  maxConcurrency?: number;
  /** Limits the REST API enforces (default the reported figures, `discordReportedLimits`); `false` turns them off. */
  rateLimits?: DiscordRateLimits | false;
}

/** A file a test attaches to a message it posts as a user. */
export interface UploadInput {
  filename: string;
  data: Uint8Array;
  contentType: string;
}

/** The running fake. Create with `FakeDiscord.start()`, stop with `close()`. */
export class FakeDiscord {
  readonly token = 'fake-bot-token.fake.discord';
  readonly world = new FakeWorld();
  readonly calls: RecordedCall[] = [];
  readonly messages: MessageStore;
  readonly interactions: InteractionRegistry;
  readonly rest: FakeRestApi;
  readonly gateway: FakeGateway;
  /** The rate limits in force and every call answered 429 (`rateLimits.refused`). */
  readonly rateLimits: DiscordRateLimiter;
  attachmentSizeLimit: number;
  announcedAttachmentSizeLimit: number | undefined;
  /** CDN downloads held back by tests (see `holdDownloads`). */
  private readonly cdnHolds = new CdnHolds();
  /** REST answers held back by tests (see `holdAnswers`). */
  private readonly restHolds = new RestHolds();
  private readonly server: Server;
  private port = 0;

  private constructor(options: FakeDiscordOptions) {
    this.attachmentSizeLimit = options.attachmentSizeLimit ?? 10 * 1024 * 1024;
    this.rateLimits = new DiscordRateLimiter(options.rateLimits ?? discordReportedLimits);
    this.announcedAttachmentSizeLimit = options.announcedAttachmentSizeLimit;
    this.messages = new MessageStore(this.world, () => this.baseUrl);
    this.interactions = new InteractionRegistry(this.world, this.messages, options.ackWindowMs ?? 3000);
    this.rest = new FakeRestApi({
      world: this.world, messages: this.messages, interactions: this.interactions, token: this.token,
      gatewayUrl: () => `ws://127.0.0.1:${this.port}`, attachmentSizeLimit: () => this.attachmentSizeLimit,
      gatewayInfo: () => ({
        shards: options.recommendedShards ?? 1, maxConcurrency: options.maxConcurrency ?? 1,
        sessionsStarted: this.gateway.identifies.length,
      }),
    });
    this.gateway = new FakeGateway({
      world: this.world, token: this.token, messageContentAllowed: options.messageContentAllowed ?? true,
      resumeUrl: () => `ws://127.0.0.1:${this.port}`,
    });
    this.server = createServer((request, response) => void this.serve(request, response));
    this.server.on('upgrade', (request, socket, head) => this.gateway.upgrade(request, socket, head));
  }

  /** Starts the fake on an ephemeral loopback port. */
  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const fake = new FakeDiscord(options);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  /** `http://127.0.0.1:PORT` (the CDN lives here too). */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** What to give discord.js as `rest.api` (it appends `/v10`). */
  get apiUrl(): string {
    return `${this.baseUrl}/api`;
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.baseUrl);
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.method === 'GET' && url.pathname.startsWith('/attachments/')) {
      await this.cdnHolds.wait(url.pathname);
      const file = this.messages.file(url.pathname);
      response.writeHead(file ? 200 : 404, { 'content-type': file?.contentType ?? 'text/plain' });
      response.end(file ? Buffer.from(file.data) : 'not found');
      return;
    }
    if (!url.pathname.startsWith('/api/v10/')) {
      response.writeHead(404).end();
      return;
    }
    const segments = url.pathname.slice('/api/v10/'.length).split('/').filter(Boolean).map(decodeURIComponent);
    const call: RecordedCall = {
      method: request.method ?? 'GET', path: `/${segments.join('/')}`, query: url.searchParams,
      botAuth: request.headers.authorization === `Bot ${this.token}`, body: undefined, files: [], status: 0, at: Date.now(),
    };
    let status: number;
    let body: unknown;
    const limits = this.rateLimits.admit(call.method, segments, call.botAuth);
    if (limits.window !== undefined) call.rateLimitWindow = limits.window;
    try {
      const parsed = await parseBody(Buffer.concat(chunks), request.headers);
      call.body = parsed.json;
      call.files = parsed.files;
      // Over a limit nothing is carried out: Discord answers 429 with `retry_after` and the rate-limit headers.
      ({ status, body } = limits.refusal ? { status: 429, body: limits.refusal } : this.rest.handle({
        method: call.method, segments, query: url.searchParams, authorization: request.headers.authorization,
        body: parsed.json, files: parsed.files,
      }));
    } catch (error) {
      const known = error instanceof DiscordHttpError ? error : new DiscordHttpError(500, 0, `500: ${String(error)}`);
      status = known.status;
      body = { message: known.message, code: known.code };
    }
    call.status = status;
    this.calls.push(call);
    await this.restHolds.wait(call.method, call.path);
    if (body === undefined) {
      response.writeHead(status, limits.headers).end();
      return;
    }
    response.writeHead(status, { 'content-type': 'application/json', ...limits.headers }).end(JSON.stringify(body));
  }

  private get announcedLimit(): number {
    return this.announcedAttachmentSizeLimit ?? this.attachmentSizeLimit;
  }

  /**
   * Adds the bot to a new guild with one text channel and sends GUILD_CREATE to the connection holding it.
   * `onShard: [id, count]` picks a guild id that lands on that shard.
   */
  addGuild(input: { name?: string; onShard?: [number, number] } = {}): FakeGuild {
    const guildId = input.onShard ? snowflakeOnShard(...input.onShard) : nextSnowflake();
    const guild = this.world.addGuild(guildId, input.name);
    this.gateway.announceGuild(guild.guildId);
    return guild;
  }

  /** Creates a guild member (with a fixed `id` when the test needs it in advance). */
  addUser(username: string, id?: string): FakeUser {
    return this.world.addUser(username, id);
  }

  /** Puts a file on the CDN, as when a user attaches it to a slash command. */
  upload(input: UploadInput, channelId = this.world.channelId): FakeAttachment {
    return this.messages.addAttachment(channelId, input.filename, input.data, input.contentType);
  }

  /** Posts a message as `author` and dispatches MESSAGE_CREATE (stripped like Discord for clients without MESSAGE_CONTENT). */
  postMessage(input: { author: FakeUser; content?: string; files?: UploadInput[]; channelId?: string; replyTo?: FakeMessage }): FakeMessage {
    const channelId = input.channelId ?? input.replyTo?.channel_id ?? this.world.channelId;
    const attachments = (input.files ?? []).map((file) => this.upload(file, channelId));
    const message = this.messages.create({
      channelId, author: input.author, content: input.content ?? '', attachments,
      ...(input.replyTo ? { replyToMessageId: input.replyTo.id } : {}),
    });
    const botId = this.world.botUser.id;
    this.gateway.dispatch('MESSAGE_CREATE', { ...message, member: this.world.member(input.author, '0') }, (data, intents) => {
      const mentionsBot = (data['mentions'] as FakeUser[]).some((user) => user.id === botId);
      if (intents & intentBits.messageContent || mentionsBot) return data;
      return { ...data, content: '', attachments: [], embeds: [], components: [] };
    });
    return message;
  }

  private commandId(name: string): string {
    for (const commands of this.rest.commands.values()) {
      const found = commands.find((command) => command['name'] === name);
      if (typeof found?.['id'] === 'string') return found['id'];
    }
    return nextSnowflake();
  }

  private dispatchInteraction(interaction: FakeInteraction): FakeInteraction {
    interaction.dispatchedAt = Date.now();
    interaction.shardIds = this.gateway.dispatch('INTERACTION_CREATE', interaction.payload);
    return interaction;
  }

  /** Runs a slash command as `user` (a server manager when `manager` is true); `subcommandGroup` holds `subcommand`. */
  slashCommand(input: {
    user: FakeUser; name: string; subcommand?: string; subcommandGroup?: string; options?: Record<string, OptionValue>; channelId?: string; manager?: boolean;
  }): FakeInteraction {
    const channelId = input.channelId ?? this.world.channelId;
    const guildId = this.world.guildOfChannel(channelId) ?? this.world.guildId;
    const data = slashCommandData(this.world, guildId, this.commandId(input.name), input.name, input.options ?? {}, input.subcommand, input.subcommandGroup);
    return this.dispatchInteraction(this.interactions.create({
      type: 2, user: input.user, channelId, data,
      attachmentSizeLimit: this.announcedLimit, ...(input.manager ? { permissions: ownerPermissions } : {}),
    }));
  }

  /** Runs a message context-menu command on `target`. */
  messageCommand(input: { user: FakeUser; name: string; target: FakeMessage }): FakeInteraction {
    return this.dispatchInteraction(this.interactions.create({
      type: 2, user: input.user, channelId: input.target.channel_id,
      data: messageCommandData(this.commandId(input.name), input.name, input.target), attachmentSizeLimit: this.announcedLimit,
    }));
  }

  /** Presses the button `customId` on `message` (as a server manager when `manager` is true). */
  clickButton(input: { user: FakeUser; message: FakeMessage; customId: string; manager?: boolean }): FakeInteraction {
    return this.dispatchInteraction(this.interactions.create({
      type: 3, user: input.user, channelId: input.message.channel_id, data: buttonData(input.customId),
      sourceMessage: input.message, attachmentSizeLimit: this.announcedLimit, ...(input.manager ? { permissions: ownerPermissions } : {}),
    }));
  }

  /** Submits the modal `opened` showed (its custom id and text inputs), as `user`. */
  submitModal(input: { user: FakeUser; opened: FakeInteraction; fields: Record<string, string> }): FakeInteraction {
    const customId = String(input.opened.modal?.['custom_id'] ?? '');
    const source = input.opened.sourceMessageId === undefined ? undefined : this.messages.get(input.opened.sourceMessageId);
    return this.dispatchInteraction(this.interactions.create({
      type: 5, user: input.user, channelId: input.opened.channelId, data: modalSubmitData(customId, input.fields),
      ...(source ? { sourceMessage: source } : {}), attachmentSizeLimit: this.announcedLimit,
    }));
  }

  /**
   * Holds CDN downloads of `attachment`: they get no answer until `release()` (a slow CDN), or never
   * when the fake closes first (a hung one). `requests` tells when the bot has started downloading.
   */
  holdDownloads(attachment: FakeAttachment): HeldDownload {
    return this.cdnHolds.hold(new URL(attachment.url).pathname);
  }

  /** Deletes an uploaded file from the CDN, as when an attachment expires: downloads of its URL get 404. */
  expireUpload(attachment: FakeAttachment): void {
    this.messages.removeFile(new URL(attachment.url).pathname);
  }

  /**
   * Carries out matching REST calls at once but holds their answers: Discord has done what the bot
   * asked (a deferral shows "thinking…") while the bot is still waiting to hear so, e.g. to kill it there.
   */
  holdAnswers(match: CallMatch): HeldAnswers {
    return this.restHolds.hold(match);
  }

  /** Makes a canned error answer for matching calls (`times` of them). */
  failNext(failure: Omit<InjectedFailure, 'times'> & { times?: number }): void {
    this.rest.failures.push({ ...failure, times: failure.times ?? 1 });
  }

  /** REST calls made with `interaction`'s token or id, oldest first. */
  callsFor(interaction: FakeInteraction): RecordedCall[] {
    return this.calls.filter((call) => call.path.includes(interaction.token) || call.path.includes(`/interactions/${interaction.id}/`));
  }

  /** The response message of `interaction`, as it is now. */
  originalMessage(interaction: FakeInteraction): FakeMessage | undefined {
    return interaction.originalMessageId === undefined ? undefined : this.messages.get(interaction.originalMessageId);
  }

  /** Polls `probe` every 20 ms until it returns a value; fails after `timeoutMs` naming `what`. */
  async waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`fake Discord: timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async close(): Promise<void> {
    await this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
