// Routes every interaction to its handler, and makes sure none is left "thinking…" when a handler fails.
import { MessageFlags, type Interaction, type RepliableInteraction } from 'discord.js';
import { handleCancelButton } from './cancel-button.ts';
import { commandNames } from './command-names.ts';
import type { DiscordContext } from './context.ts';
import { parseCustomId } from './custom-ids.ts';
import { handleImagine } from './imagine-command.ts';
import { handleJobButton } from './job-buttons.ts';
import { handleJobs } from './jobs-command.ts';
import { text } from './messages.ts';
import { handleAdmin, handleQuota } from './quota-commands.ts';
import { handleRemixCommand } from './remix-command.ts';
import { handleRemixModal } from './remix-modal.ts';
import { handleSettings } from './settings-command.ts';
import { handleShow } from './show-command.ts';
import { noMentions } from './status-message.ts';

async function route(context: DiscordContext, interaction: Interaction): Promise<void> {
  if (interaction.isChatInputCommand()) {
    if (interaction.commandName === commandNames.imagine) return handleImagine(context, interaction);
    if (interaction.commandName === commandNames.quota) return handleQuota(context, interaction);
    if (interaction.commandName === commandNames.jobs) return handleJobs(context, interaction);
    if (interaction.commandName === commandNames.show) return handleShow(context, interaction);
    if (interaction.commandName === commandNames.admin) return handleAdmin(context, interaction);
    if (interaction.commandName === commandNames.settings) return handleSettings(context, interaction);
  } else if (interaction.isMessageContextMenuCommand()) {
    if (interaction.commandName === commandNames.remix) return handleRemixCommand(context, interaction);
  } else if (interaction.isButton()) {
    const parsed = parseCustomId(interaction.customId);
    if (parsed?.kind === 'button') return handleJobButton(context, interaction, parsed.action, parsed.jobId);
    if (parsed?.kind === 'cancel') return handleCancelButton(context, interaction, parsed.jobId);
  } else if (interaction.isModalSubmit()) {
    const parsed = parseCustomId(interaction.customId);
    if (parsed?.kind === 'remix-modal' || parsed?.kind === 'message-remix-modal') return handleRemixModal(context, interaction, parsed);
  }
  if (interaction.isRepliable()) {
    await interaction.reply({ content: text.unknownAction, flags: MessageFlags.Ephemeral, allowedMentions: noMentions });
  }
}

/** Ends a failed interaction with an apology, whatever state its answer is in. */
async function endWithApology(interaction: RepliableInteraction): Promise<void> {
  if (interaction.deferred || interaction.replied) {
    await interaction.editReply({ content: text.internalError, components: [], allowedMentions: noMentions });
  } else {
    await interaction.reply({ content: text.internalError, flags: MessageFlags.Ephemeral, allowedMentions: noMentions });
  }
}

/** The `interactionCreate` listener. */
export function createInteractionListener(context: DiscordContext): (interaction: Interaction) => Promise<void> {
  return async (interaction) => {
    try {
      await route(context, interaction);
    } catch (error) {
      context.logger.error({ err: error, interactionId: interaction.id }, 'interaction handler failed');
      if (!interaction.isRepliable()) return;
      await endWithApology(interaction).catch((replyError: unknown) =>
        context.logger.warn({ err: replyError, interactionId: interaction.id }, 'could not end the failed interaction'),
      );
    }
  };
}
