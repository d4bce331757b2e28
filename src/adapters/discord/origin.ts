// Builds the serializable Origin and Requester of a Discord job from an interaction or a message.
import { GuildMember, type APIInteractionGuildMember, type BaseInteraction, type Channel, type Message, type RepliableInteraction, type User } from 'discord.js';
import type { Origin, Requester } from '../../core/request.ts';
import { interactionTokenLifetimeMs } from './status-message.ts';

/** Discord's default upload limit per file since January 2025. */
export const defaultAttachmentSizeLimit = 10 * 1024 * 1024;
const attachmentLimitKey = 'attachmentSizeLimit';
/** Where the core looks for a thread's parent channel (allowed channels count a thread as its parent). */
const parentChannelKey = 'parentChannelId';
/** The request schema's bound on role ids (Discord allows 250 roles per member). */
const maxRoleIds = 250;

/**
 * The member's role ids, for role-based daily credits. @everyone is left out: every member holds it,
 * and the server's own daily credits already speak for everyone.
 */
export function roleIdsOf(member: GuildMember | APIInteractionGuildMember | null | undefined, guildId: string | null): string[] {
  if (member === null || member === undefined) return [];
  const ids = member instanceof GuildMember ? [...member.roles.cache.keys()] : member.roles;
  return ids.filter((id) => id !== guildId).slice(0, maxRoleIds);
}

/** The requester for quotas: platform-qualified, with the guild for community caps and the member's roles for role credits. */
export function requesterOf(user: User, guildId: string | null, member?: GuildMember | APIInteractionGuildMember | null): Requester {
  const roleIds = guildId === null ? [] : roleIdsOf(member, guildId);
  return {
    platform: 'discord',
    userId: user.id,
    displayName: user.globalName ?? user.username,
    ...(guildId === null ? {} : { communityId: guildId }),
    ...(roleIds.length === 0 ? {} : { roleIds }),
  };
}

/** Who sent `interaction`, with their roles in its server. */
export function interactionRequester(interaction: BaseInteraction): Requester {
  return requesterOf(interaction.user, interaction.guildId, interaction.member);
}

/** The parent channel when `channel` is a thread (the community's allowed channels count a thread as its parent). */
export function parentChannelOf(channel: Channel | null | undefined): string | undefined {
  return channel?.isThread() ? (channel.parentId ?? undefined) : undefined;
}

/** The parent channel recorded in `origin` (see `parentChannelOf`), for the core's channel check. */
export function recordedParentChannel(origin: Origin): string | undefined {
  return origin.extra?.[parentChannelKey];
}

/** `extra` of an origin in `channel`: the upload limit when known, the thread's parent when in a thread. */
function extraOf(channel: Channel | null | undefined, limit: number | undefined): Record<string, string> | undefined {
  const parent = parentChannelOf(channel);
  const extra: Record<string, string> = {
    ...(typeof limit === 'number' && limit > 0 ? { [attachmentLimitKey]: String(limit) } : {}),
    ...(parent === undefined ? {} : { [parentChannelKey]: parent }),
  };
  return Object.keys(extra).length === 0 ? undefined : extra;
}

/** Where an interaction's job reports: its reply (by token until it expires, then by message id in the channel). */
export function interactionOrigin(interaction: BaseInteraction, replyMessageId: string | undefined): Origin {
  const extra = extraOf(interaction.channel, interaction.attachmentSizeLimit);
  return {
    platform: 'discord',
    ...(interaction.guildId === null ? {} : { communityId: interaction.guildId }),
    ...(interaction.channelId === null ? {} : { channelId: interaction.channelId }),
    ...(replyMessageId === undefined ? {} : { messageId: replyMessageId }),
    interaction: {
      id: interaction.id,
      applicationId: interaction.applicationId,
      token: interaction.token,
      expiresAt: interaction.createdTimestamp + interactionTokenLifetimeMs,
    },
    ...(extra === undefined ? {} : { extra }),
  };
}

/**
 * The origin of a deferred interaction with its reply's id, looked up from Discord. Never rejects:
 * without the id the token still reaches the reply, and after it expires the reply is found by the
 * interaction id (see `findPendingReply`).
 */
export function deferredReplyOrigin(interaction: RepliableInteraction): Promise<Origin> {
  return interaction.fetchReply().then(
    (reply) => interactionOrigin(interaction, reply.id),
    () => interactionOrigin(interaction, undefined),
  );
}

/**
 * Where a reply-to-remix job reports: the bot's status message, itself a reply to the user's message
 * (undefined before it is posted; it is then found as the bot's reply to `message`).
 */
export function messageOrigin(message: Message, statusMessageId: string | undefined): Origin {
  const extra = extraOf(message.channel, undefined);
  return {
    platform: 'discord',
    ...(message.guildId === null ? {} : { communityId: message.guildId }),
    channelId: message.channelId,
    ...(statusMessageId === undefined ? {} : { messageId: statusMessageId }),
    replyToMessageId: message.id,
    ...(extra === undefined ? {} : { extra }),
  };
}

/** The largest file Discord accepts where `origin` posts. */
export function attachmentLimitOf(origin: Origin): number {
  const stored = Number(origin.extra?.[attachmentLimitKey]);
  return Number.isFinite(stored) && stored > 0 ? stored : defaultAttachmentSizeLimit;
}
