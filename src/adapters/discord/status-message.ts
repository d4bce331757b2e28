// Edits or posts a job's status message: through the interaction token while it lives, else through the channel.
import {
  DiscordAPIError,
  InteractionWebhook,
  type ActionRowBuilder,
  type AttachmentPayload,
  type ButtonBuilder,
  type Client,
  type Message,
  type MessageMentionOptions,
} from 'discord.js';
import type { Origin } from '../../core/request.ts';

/** Prompts are echoed back; nothing we send may ping anyone, including the replied-to user. */
export const noMentions: MessageMentionOptions = { parse: [], repliedUser: false };

/** Interaction tokens live 15 minutes; stop using one a minute early so a slow upload does not straddle the end. */
const tokenSafetyMarginMs = 60_000;
/** How long an interaction token is valid after the interaction was created. */
export const interactionTokenLifetimeMs = 15 * 60_000;

/** What a status message shows; `files` are added to the attachments it already has. */
export interface StatusPayload {
  content: string;
  components?: Array<ActionRowBuilder<ButtonBuilder>>;
  files?: AttachmentPayload[];
}

/** Discord error codes meaning the interaction token can no longer be used. */
const tokenGoneCodes = new Set([10015, 10062, 50027]);
const unknownMessageCode = 10008;
const cannotEditCodes = new Set([50005, 50001, 50013]);

function apiCode(error: unknown): number | string | undefined {
  return error instanceof DiscordAPIError ? error.code : undefined;
}

/** The job's channel cannot be posted in (none recorded, or not a text channel); the same on every try. */
class ChannelUnusableError extends Error {}

/**
 * True for answers that will be the same on every try (the channel or message is gone, access was
 * removed, the token was refused): retrying them would only repeat the refusal.
 */
export function isPermanentRefusal(error: unknown): boolean {
  if (error instanceof ChannelUnusableError) return true;
  return error instanceof DiscordAPIError && error.status >= 400 && error.status < 500 && error.status !== 429;
}

/** True when `origin`'s interaction token may still be used at `now`. */
export function interactionUsable(origin: Origin, now: number): boolean {
  return origin.interaction !== undefined && now < origin.interaction.expiresAt - tokenSafetyMarginMs;
}

function webhookOf(client: Client, origin: Origin): InteractionWebhook | undefined {
  const interaction = origin.interaction;
  // Only ready clients deliver, so the narrowing to Client<true> holds.
  return interaction ? new InteractionWebhook(client as Client<true>, interaction.applicationId, interaction.token) : undefined;
}

async function textChannel(client: Client, channelId: string | undefined) {
  if (channelId === undefined) throw new ChannelUnusableError('The job has no channel to post in');
  const channel = await client.channels.fetch(channelId);
  if (!channel?.isSendable()) throw new ChannelUnusableError(`Channel ${channelId} cannot receive messages`);
  return channel;
}

/** Posts a new message in the origin's channel, as a reply to `replyTo` when given (and still there). */
export async function postInChannel(client: Client, origin: Origin, payload: StatusPayload, replyTo?: string): Promise<Message> {
  const channel = await textChannel(client, origin.channelId);
  return channel.send({
    ...payload,
    allowedMentions: noMentions,
    ...(replyTo === undefined ? {} : { reply: { messageReference: replyTo, failIfNotExists: false } }),
  });
}

/** Edits the status message through the channel with the bot token, or posts a new one when it is gone. */
async function editThroughChannel(client: Client, origin: Origin, payload: StatusPayload): Promise<Message> {
  if (origin.messageId !== undefined) {
    const channel = await textChannel(client, origin.channelId);
    try {
      return await channel.messages.edit(origin.messageId, { ...payload, allowedMentions: noMentions });
    } catch (error) {
      const code = apiCode(error);
      if (code !== unknownMessageCode && !(typeof code === 'number' && cannotEditCodes.has(code))) throw error;
    }
  }
  return postInChannel(client, origin, payload, origin.replyToMessageId);
}

/**
 * Shows `payload` in the job's status message: the interaction reply while its token lives, the
 * channel message afterwards (or when the token was refused), a new message when the old one is gone.
 */
export async function editStatus(client: Client, origin: Origin, payload: StatusPayload, now = Date.now()): Promise<Message> {
  const webhook = interactionUsable(origin, now) ? webhookOf(client, origin) : undefined;
  if (webhook) {
    try {
      return await webhook.editMessage('@original', { ...payload, allowedMentions: noMentions });
    } catch (error) {
      const code = apiCode(error);
      const tokenGone = typeof code === 'number' && tokenGoneCodes.has(code);
      if (!tokenGone && code !== unknownMessageCode) throw error;
    }
  }
  return editThroughChannel(client, origin, payload);
}

/** The status message as it is now, or undefined when it cannot be read. */
export async function fetchStatus(client: Client, origin: Origin, now = Date.now()): Promise<Message | undefined> {
  const webhook = interactionUsable(origin, now) ? webhookOf(client, origin) : undefined;
  try {
    if (webhook) return await webhook.fetchMessage('@original');
    if (origin.messageId === undefined) return undefined;
    const channel = await textChannel(client, origin.channelId);
    return await channel.messages.fetch(origin.messageId);
  } catch {
    return undefined;
  }
}

/**
 * The pending message of `origin` (through the token while it lives, else by its id in the channel),
 * or undefined when Discord says it is not there (never sent, deleted, token refused). Failures that
 * may pass (Discord unavailable, rate limits) are thrown, so the caller tries again instead of
 * posting a second pending message beside the first.
 */
export async function findStatusMessage(client: Client, origin: Origin, now = Date.now()): Promise<Message | undefined> {
  const webhook = interactionUsable(origin, now) ? webhookOf(client, origin) : undefined;
  if (webhook) {
    try {
      return await webhook.fetchMessage('@original');
    } catch (error) {
      if (!isPermanentRefusal(error)) throw error;
    }
  }
  if (origin.messageId === undefined) return undefined;
  try {
    const channel = await textChannel(client, origin.channelId);
    return await channel.messages.fetch(origin.messageId);
  } catch (error) {
    if (!isPermanentRefusal(error)) throw error;
    return undefined;
  }
}

/** Recent messages after the status message (where a result posted through the channel would be). */
export async function messagesAfterStatus(client: Client, origin: Origin): Promise<Message[]> {
  if (origin.messageId === undefined) return [];
  try {
    const channel = await textChannel(client, origin.channelId);
    const found = await channel.messages.fetch({ after: origin.messageId, limit: 50 });
    return [...found.values()];
  } catch {
    return [];
  }
}

/**
 * The id of the bot's pending message for `origin` when its id was never recorded (the bot stopped
 * between acknowledging and starting the job): the reply Discord stamped with the interaction's id,
 * or the bot's reply to the user's message (reply-to-remix). Looked up among the channel's recent
 * messages; undefined when it is not found or not readable.
 */
export async function findPendingReply(client: Client, origin: Origin): Promise<string | undefined> {
  const interactionId = origin.interaction?.id;
  const replyTo = origin.replyToMessageId;
  if (interactionId === undefined && replyTo === undefined) return undefined;
  try {
    const channel = await textChannel(client, origin.channelId);
    const recent = await channel.messages.fetch(replyTo === undefined ? { limit: 100 } : { after: replyTo, limit: 50 });
    const found = recent.find((message) =>
      message.author.id === client.user?.id &&
      (interactionId === undefined ? message.reference?.messageId === replyTo : message.interactionMetadata?.id === interactionId));
    return found?.id;
  } catch {
    return undefined;
  }
}
