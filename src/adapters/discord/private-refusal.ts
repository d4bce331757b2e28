// Answers an interaction with a refusal only its requester sees: an ephemeral reply, or after a public deferral an ephemeral follow-up with the public reply removed.
import { MessageFlags, type RepliableInteraction } from 'discord.js';
import { text } from './messages.ts';
import type { ShowText } from './start-job.ts';
import { noMentions } from './status-message.ts';

/**
 * The `ShowText` for refusals that must stay private (a blocked prompt names the rule it broke).
 * The deferral was public, and Discord turns the first follow-up after a bare deferral into that
 * public reply, so the reply is first given neutral text; then the ephemeral follow-up goes out and
 * the public reply is deleted, leaving nothing for the channel to read.
 */
export function privateRefusal(interaction: RepliableInteraction): ShowText {
  return async (content) => {
    await interaction.editReply({ content: text.refusedPrivately, components: [], allowedMentions: noMentions });
    await interaction.followUp({ content, flags: MessageFlags.Ephemeral, allowedMentions: noMentions });
    await interaction.deleteReply();
  };
}

/** Answers a not yet acknowledged interaction with text only its user sees. */
export async function replyPrivately(interaction: RepliableInteraction, content: string): Promise<void> {
  await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: noMentions });
}
