// The "Remix" message context-menu command: any message with images → a modal for the prompt.
import { MessageFlags, type MessageContextMenuCommandInteraction } from 'discord.js';
import { attachmentInfo, looksLikeImage } from './attachments.ts';
import type { DiscordContext } from './context.ts';
import { messageRemixModalId } from './custom-ids.ts';
import { text } from './messages.ts';
import { buildRemixModal } from './remix-modal.ts';
import { noMentions } from './status-message.ts';

/**
 * Handles "Remix" on a message. The target's attachments are visible here even without the
 * MESSAGE_CONTENT intent, so they are remembered for the modal's submit.
 */
export async function handleRemixCommand(context: DiscordContext, interaction: MessageContextMenuCommandInteraction): Promise<void> {
  const target = interaction.targetMessage;
  const images = [...target.attachments.values()].map(attachmentInfo).filter(looksLikeImage);
  if (images.length === 0) {
    await interaction.reply({ content: text.noImagesToRemix, flags: MessageFlags.Ephemeral, allowedMentions: noMentions });
    return;
  }
  context.messageImages.remember(target.id, images);
  await interaction.showModal(buildRemixModal(messageRemixModalId(target.channelId, target.id)));
}
