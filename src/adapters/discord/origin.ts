// Builds the serializable Origin and Requester of a Discord job from an interaction or a message.
import type { BaseInteraction, Message, RepliableInteraction, User } from 'discord.js';
import type { Origin, Requester } from '../../core/request.ts';
import { interactionTokenLifetimeMs } from './status-message.ts';

/** Discord's default upload limit per file since January 2025. */
export const defaultAttachmentSizeLimit = 10 * 1024 * 1024;
const attachmentLimitKey = 'attachmentSizeLimit';

/** The requester for quotas: platform-qualified, with the guild for community caps. */
export function requesterOf(user: User, guildId: string | null): Requester {
  return {
    platform: 'discord',
    userId: user.id,
    displayName: user.globalName ?? user.username,
    ...(guildId === null ? {} : { communityId: guildId }),
  };
}

/** Where an interaction's job reports: its reply (by token until it expires, then by message id in the channel). */
export function interactionOrigin(interaction: BaseInteraction, replyMessageId: string | undefined): Origin {
  const limit = interaction.attachmentSizeLimit;
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
    ...(typeof limit === 'number' && limit > 0 ? { extra: { [attachmentLimitKey]: String(limit) } } : {}),
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
  return {
    platform: 'discord',
    ...(message.guildId === null ? {} : { communityId: message.guildId }),
    channelId: message.channelId,
    ...(statusMessageId === undefined ? {} : { messageId: statusMessageId }),
    replyToMessageId: message.id,
  };
}

/** The largest file Discord accepts where `origin` posts. */
export function attachmentLimitOf(origin: Origin): number {
  const stored = Number(origin.extra?.[attachmentLimitKey]);
  return Number.isFinite(stored) && stored > 0 ? stored : defaultAttachmentSizeLimit;
}
