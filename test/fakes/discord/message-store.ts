// Messages and attachments held by the fake Discord; attachment bytes are served back as its CDN.
import { nextSnowflake } from './ids.ts';
import { DiscordHttpError, type RecordedFile } from './records.ts';
import type { FakeUser, FakeWorld } from './world.ts';

/** An attachment as Discord serializes it; `url` points at the fake's CDN. */
export interface FakeAttachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type: string;
}

/** A message as Discord serializes it (the fields discord.js reads). */
export type FakeMessage = Record<string, unknown> & {
  id: string;
  channel_id: string;
  author: FakeUser;
  content: string;
  attachments: FakeAttachment[];
  components: unknown[];
  mentions: FakeUser[];
  mention_everyone: boolean;
  flags: number;
};

export interface NewMessage {
  channelId: string;
  author: FakeUser;
  content?: string;
  attachments?: FakeAttachment[];
  components?: unknown[];
  flags?: number;
  /** 0 default, 19 reply, 20 slash-command response, 23 context-menu response. */
  type?: number;
  replyToMessageId?: string;
  webhookId?: string;
  interactionMetadata?: Record<string, unknown>;
  /** The `allowed_mentions` the sender gave; undefined means Discord's default (parse everything). */
  allowedMentions?: Record<string, unknown>;
}

/** Mentions Discord would resolve in `content`, limited by `allowed_mentions` like the real API. */
function resolveMentions(world: FakeWorld, content: string, allowed: Record<string, unknown> | undefined) {
  const parse = allowed === undefined ? ['users', 'roles', 'everyone'] : ((allowed['parse'] as string[] | undefined) ?? []);
  const listedUsers = allowed === undefined ? [] : ((allowed['users'] as string[] | undefined) ?? []);
  const mentions: FakeUser[] = [];
  for (const match of content.matchAll(/<@!?(\d+)>/g)) {
    const user = match[1] === undefined ? undefined : world.user(match[1]);
    if (user && (parse.includes('users') || listedUsers.includes(user.id)) && !mentions.includes(user)) mentions.push(user);
  }
  const mentionEveryone = parse.includes('everyone') && /@(everyone|here)/.test(content);
  return { mentions, mentionEveryone };
}

/** Every message and file the fake knows. */
export class MessageStore {
  private readonly messages = new Map<string, FakeMessage>();
  private readonly files = new Map<string, { data: Uint8Array; contentType: string }>();

  constructor(
    private readonly world: FakeWorld,
    private readonly baseUrl: () => string,
  ) {}

  /** Stores bytes on the CDN and returns the attachment object pointing at them. */
  addAttachment(channelId: string, filename: string, data: Uint8Array, contentType: string): FakeAttachment {
    const id = nextSnowflake();
    const path = `/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`;
    this.files.set(path, { data, contentType });
    const url = `${this.baseUrl()}${path}`;
    return { id, filename, size: data.byteLength, url, proxy_url: url, content_type: contentType };
  }

  /** Deletes a file from the CDN (an expired or deleted attachment): its URL answers 404 from now on. */
  removeFile(path: string): void {
    this.files.delete(path);
  }

  /** Bytes at a CDN path, or undefined. */
  file(path: string): { data: Uint8Array; contentType: string } | undefined {
    return this.files.get(path);
  }

  /** Turns uploaded parts into attachments, named as `payload_json.attachments` says. */
  attachUploads(channelId: string, files: RecordedFile[], described: unknown): FakeAttachment[] {
    const descriptions = Array.isArray(described) ? (described as Array<Record<string, unknown>>) : [];
    return files.map((file, index) => {
      const fieldIndex = /\[(\d+)\]/.exec(file.field)?.[1] ?? String(index);
      const description = descriptions.find((entry) => String(entry['id']) === fieldIndex);
      const filename = typeof description?.['filename'] === 'string' ? description['filename'] : file.filename;
      return this.addAttachment(channelId, filename, file.data, file.contentType);
    });
  }

  create(input: NewMessage): FakeMessage {
    const channel = this.world.channel(input.channelId);
    if (!channel) throw new DiscordHttpError(404, 10003, 'Unknown Channel');
    const content = input.content ?? '';
    const { mentions, mentionEveryone } = resolveMentions(this.world, content, input.allowedMentions);
    const message: FakeMessage = {
      id: nextSnowflake(), channel_id: input.channelId, guild_id: channel['guild_id'], author: input.author, content,
      timestamp: new Date().toISOString(), edited_timestamp: null, tts: false, mention_everyone: mentionEveryone,
      mentions, mention_roles: [], attachments: input.attachments ?? [], embeds: [], pinned: false,
      type: input.type ?? (input.replyToMessageId ? 19 : 0), flags: input.flags ?? 0, components: input.components ?? [],
    };
    if (input.webhookId) {
      message['webhook_id'] = input.webhookId;
      message['application_id'] = input.webhookId;
    }
    if (input.interactionMetadata) message['interaction_metadata'] = input.interactionMetadata;
    if (input.replyToMessageId) {
      const referenced = this.messages.get(input.replyToMessageId);
      message['message_reference'] = { type: 0, message_id: input.replyToMessageId, channel_id: input.channelId, guild_id: channel['guild_id'] };
      message['referenced_message'] = referenced ? { ...referenced } : null;
    }
    this.messages.set(message.id, message);
    channel['last_message_id'] = message.id;
    return message;
  }

  get(messageId: string): FakeMessage | undefined {
    return this.messages.get(messageId);
  }

  /** A message that must exist in `channelId`. */
  require(channelId: string, messageId: string): FakeMessage {
    const message = this.messages.get(messageId);
    if (!message || message.channel_id !== channelId) throw new DiscordHttpError(404, 10008, 'Unknown Message');
    return message;
  }

  /** Applies an edit body (and uploads) the way Discord does: given fields replace, attachments merge. */
  edit(message: FakeMessage, body: Record<string, unknown> | undefined, uploads: RecordedFile[]): FakeMessage {
    const patch = body ?? {};
    if (typeof patch['content'] === 'string' || patch['content'] === null) message.content = (patch['content'] as string | null) ?? '';
    if (Array.isArray(patch['components'])) message.components = patch['components'];
    if (Array.isArray(patch['embeds'])) message['embeds'] = patch['embeds'];
    if (typeof patch['flags'] === 'number') message.flags = patch['flags'];
    const described = patch['attachments'];
    const added = this.attachUploads(message.channel_id, uploads, described);
    if (Array.isArray(described)) {
      const kept = new Set(described.map((entry) => String((entry as Record<string, unknown>)['id'])));
      message.attachments = [...message.attachments.filter((attachment) => kept.has(attachment.id)), ...added];
    } else {
      message.attachments = [...message.attachments, ...added];
    }
    // The loading ("thinking…") flag ends with the first edit of a deferred reply.
    message.flags &= ~128;
    const allowed = patch['allowed_mentions'] as Record<string, unknown> | undefined;
    const { mentions, mentionEveryone } = resolveMentions(this.world, message.content, allowed);
    message.mentions = mentions;
    message.mention_everyone = mentionEveryone;
    message['edited_timestamp'] = new Date().toISOString();
    return message;
  }

  delete(messageId: string): void {
    this.messages.delete(messageId);
  }

  /** Messages of `channelId` in creation order. */
  inChannel(channelId: string): FakeMessage[] {
    return [...this.messages.values()].filter((message) => message.channel_id === channelId);
  }
}
