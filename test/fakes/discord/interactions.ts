// Interactions the fake dispatched, and how it answers their callbacks and webhook (token) routes.
import { nextSnowflake, nextToken } from './ids.ts';
import type { FakeMessage, MessageStore } from './message-store.ts';
import { DiscordHttpError, type RecordedFile } from './records.ts';
import { memberPermissions, type FakeUser, type FakeWorld } from './world.ts';

/** One callback the bot sent for an interaction. */
export interface InteractionCallback {
  type: number;
  data: Record<string, unknown> | undefined;
  at: number;
}

/** An interaction the fake sent, with everything the bot answered. */
export interface FakeInteraction {
  id: string;
  token: string;
  /** 2 command, 3 component, 5 modal submit. */
  type: number;
  channelId: string;
  user: FakeUser;
  /** When INTERACTION_CREATE was sent. */
  dispatchedAt: number;
  payload: Record<string, unknown>;
  callbacks: InteractionCallback[];
  /** The response message once a callback of type 4 or 5 created it. */
  originalMessageId: string | undefined;
  /** The message a component or modal came from. */
  sourceMessageId: string | undefined;
  /** The modal data when the bot answered with type 9. */
  modal: Record<string, unknown> | undefined;
  /** Set by tests to act as if the 15-minute token lifetime had passed. */
  expired: boolean;
  /** The guild it happened in. */
  guildId: string;
  /** Shard ids of the gateway connections INTERACTION_CREATE went to (one, unless the same shard is connected twice). */
  shardIds: number[];
}

export interface InteractionInput {
  type: number;
  user: FakeUser;
  channelId: string;
  data: Record<string, unknown>;
  sourceMessage?: FakeMessage;
  permissions?: string;
  attachmentSizeLimit: number;
}

/** Holds interactions by token and applies callbacks the way Discord does. */
export class InteractionRegistry {
  private readonly byToken = new Map<string, FakeInteraction>();
  private readonly byId = new Map<string, FakeInteraction>();

  constructor(
    private readonly world: FakeWorld,
    private readonly messages: MessageStore,
    /** Discord refuses a first answer later than this after the interaction was created. */
    private readonly ackWindowMs: number,
  ) {}

  /** Creates an interaction and its INTERACTION_CREATE payload. */
  create(input: InteractionInput): FakeInteraction {
    const id = nextSnowflake();
    const token = nextToken();
    const channel = this.world.channel(input.channelId);
    const guildId = this.world.guildOfChannel(input.channelId);
    if (!channel || guildId === undefined) throw new Error(`unknown channel ${input.channelId}`);
    const payload: Record<string, unknown> = {
      id, application_id: this.world.applicationId, type: input.type, data: input.data, guild_id: guildId,
      channel_id: input.channelId, channel, member: this.world.member(input.user, input.permissions ?? memberPermissions),
      token, version: 1, app_permissions: memberPermissions, locale: 'en-US', guild_locale: 'en-US', entitlements: [],
      authorizing_integration_owners: { '0': guildId }, context: 0,
      attachment_size_limit: input.attachmentSizeLimit,
    };
    if (input.sourceMessage) payload['message'] = { ...input.sourceMessage };
    const interaction: FakeInteraction = {
      id, token, type: input.type, channelId: input.channelId, user: input.user, dispatchedAt: Date.now(), payload,
      callbacks: [], originalMessageId: undefined, sourceMessageId: input.sourceMessage?.id, modal: undefined, expired: false,
      guildId, shardIds: [],
    };
    this.byToken.set(token, interaction);
    this.byId.set(id, interaction);
    return interaction;
  }

  byTokenOrThrow(token: string): FakeInteraction {
    const interaction = this.byToken.get(token);
    if (!interaction) throw new DiscordHttpError(404, 10015, 'Unknown Webhook');
    if (interaction.expired) throw new DiscordHttpError(401, 50027, 'Invalid Webhook Token');
    return interaction;
  }

  get(id: string): FakeInteraction | undefined {
    return this.byId.get(id);
  }

  /** `POST /interactions/{id}/{token}/callback`. Returns the callback response body when asked for. */
  callback(id: string, token: string, body: Record<string, unknown>, files: RecordedFile[], withResponse: boolean): Record<string, unknown> | undefined {
    const interaction = this.byId.get(id);
    if (!interaction || interaction.token !== token) throw new DiscordHttpError(404, 10062, 'Unknown interaction');
    if (interaction.callbacks.length > 0) throw new DiscordHttpError(400, 40060, 'Interaction has already been acknowledged.');
    if (Date.now() - interaction.dispatchedAt > this.ackWindowMs) throw new DiscordHttpError(404, 10062, 'Unknown interaction');
    const type = Number(body['type']);
    const data = body['data'] as Record<string, unknown> | undefined;
    interaction.callbacks.push({ type, data, at: Date.now() });
    let message: FakeMessage | undefined;
    if (type === 4 || type === 5) {
      const flags = Number(data?.['flags'] ?? 0);
      message = this.messages.create({
        channelId: interaction.channelId, author: this.world.botUser, content: type === 4 ? String(data?.['content'] ?? '') : '',
        attachments: type === 4 ? this.messages.attachUploads(interaction.channelId, files, data?.['attachments']) : [],
        components: type === 4 && Array.isArray(data?.['components']) ? data['components'] : [],
        flags: type === 5 ? flags | 128 : flags, type: interaction.type === 2 ? 20 : 0,
        webhookId: this.world.applicationId,
        interactionMetadata: { id: interaction.id, type: interaction.type, user: interaction.user,
          authorizing_integration_owners: { '0': interaction.guildId } },
        allowedMentions: data?.['allowed_mentions'] as Record<string, unknown> | undefined,
      });
      interaction.originalMessageId = message.id;
    } else if (type === 7 && interaction.sourceMessageId) {
      const source = this.messages.get(interaction.sourceMessageId);
      if (source) message = this.messages.edit(source, data, files);
    } else if (type === 9) {
      interaction.modal = data;
    } else if (type !== 6) {
      throw new DiscordHttpError(400, 50035, `Invalid Form Body: unsupported callback type ${type}`);
    }
    if (!withResponse) return undefined;
    return {
      interaction: { id: interaction.id, type: interaction.type, response_message_id: message?.id,
        response_message_loading: type === 5, response_message_ephemeral: ((message?.flags ?? 0) & 64) !== 0 },
      resource: { type, ...(message ? { message } : {}) },
    };
  }

  /** The message a webhook route names (`@original` or a follow-up id). */
  webhookMessage(token: string, messageId: string): FakeMessage {
    const interaction = this.byTokenOrThrow(token);
    const id = messageId === '@original' ? interaction.originalMessageId : messageId;
    const message = id === undefined ? undefined : this.messages.get(id);
    if (!message) throw new DiscordHttpError(404, 10008, 'Unknown Message');
    return message;
  }

  /** `POST /webhooks/{app}/{token}`: a follow-up message. */
  followUp(token: string, body: Record<string, unknown> | undefined, files: RecordedFile[]): FakeMessage {
    const interaction = this.byTokenOrThrow(token);
    if (interaction.callbacks.length === 0) throw new DiscordHttpError(404, 10015, 'Unknown Webhook');
    return this.messages.create({
      channelId: interaction.channelId, author: this.world.botUser, content: String(body?.['content'] ?? ''),
      attachments: this.messages.attachUploads(interaction.channelId, files, body?.['attachments']),
      components: Array.isArray(body?.['components']) ? body['components'] : [], flags: Number(body?.['flags'] ?? 0),
      webhookId: this.world.applicationId, allowedMentions: body?.['allowed_mentions'] as Record<string, unknown> | undefined,
    });
  }

  /** Every interaction, oldest first. */
  all(): FakeInteraction[] {
    return [...this.byId.values()];
  }
}
