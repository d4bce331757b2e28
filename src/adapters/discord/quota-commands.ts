// /quota (your credits, ephemeral) and /imagine-admin grant|reset|balance (ADMIN_USER_IDS only); the other admin subcommands are routed on.
import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import type { ImagineService } from '../../core/imagine-service.ts';
import { requesterKey } from '../../core/imagine-service.ts';
import { resolutions } from '../../core/request.ts';
import { handleAdminBlock } from './admin-block-command.ts';
import { handleAdminSpend } from './admin-spend-command.ts';
import { adminBlockGroup, adminOptions, adminSubcommands } from './command-names.ts';
import type { DiscordContext } from './context.ts';
import { credits, text } from './messages.ts';
import { handleModeration } from './moderation-command.ts';
import { interactionRequester, requesterOf } from './origin.ts';
import { describeRemaining } from './render.ts';
import { noMentions } from './status-message.ts';

/** "1K 1 credit · 2K 1 credit · 4K 2 credits". */
function describeCosts(service: ImagineService): string {
  return resolutions.map((resolution) => `${resolution} ${credits(service.costOf({ resolution }))}`).join(' · ');
}

async function answerPrivately(interaction: ChatInputCommandInteraction, content: string): Promise<void> {
  await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: noMentions });
}

/** Handles `/quota`: only the asker sees the answer. */
export async function handleQuota(context: DiscordContext, interaction: ChatInputCommandInteraction): Promise<void> {
  // With the member's roles: a role may give its holders their own daily credits.
  const balance = await context.service.balance(interactionRequester(interaction));
  const costs = describeCosts(context.service);
  const content = balance.unlimited
    ? text.quotaUnlimited(costs)
    : text.quota({ remaining: describeRemaining(balance), reserved: balance.reserved, daily: balance.dailyCredits, resetsAt: balance.resetsAt, costs });
  await answerPrivately(interaction, content);
}

/**
 * Handles `/imagine-admin`. Discord hides it from members without Manage Server (default member
 * permissions); credits cost the operator money, so the bot also requires ADMIN_USER_IDS. The
 * server's own moderation (blocked terms, the log) is for its managers too, checked by its handlers.
 */
export async function handleAdmin(context: DiscordContext, interaction: ChatInputCommandInteraction): Promise<void> {
  if (interaction.options.getSubcommandGroup() === adminBlockGroup) return handleAdminBlock(context, interaction);
  // The spend table and the moderation log take no member: they have their own options (and their own admin check).
  const routed = interaction.options.getSubcommand(true);
  if (routed === adminSubcommands.spend) return handleAdminSpend(context, interaction);
  if (routed === adminSubcommands.moderation) return handleModeration(context, interaction);
  const actor = requesterOf(interaction.user, interaction.guildId);
  if (!context.service.isAdmin(actor)) {
    await answerPrivately(interaction, text.adminOnly);
    return;
  }
  const target = interaction.options.getUser(adminOptions.user, true);
  const targetKey = requesterKey({ platform: 'discord', userId: target.id });
  const subcommand = interaction.options.getSubcommand(true);
  if (subcommand === adminSubcommands.grant) {
    const amount = interaction.options.getInteger(adminOptions.amount, true);
    if (amount < 1) {
      await answerPrivately(interaction, text.adminAmountInvalid);
      return;
    }
    const balance = await context.service.grant(targetKey, amount, actor);
    context.logger.info({ actor: requesterKey(actor), target: targetKey, amount }, 'credits granted');
    await answerPrivately(interaction, text.adminGranted(target.id, amount, describeRemaining(balance)));
    return;
  }
  if (subcommand === adminSubcommands.reset) {
    const balance = await context.service.reset(targetKey, actor);
    context.logger.info({ actor: requesterKey(actor), target: targetKey }, 'credits reset');
    await answerPrivately(interaction, text.adminReset(target.id, describeRemaining(balance)));
    return;
  }
  const balance = await context.service.balance({ platform: 'discord', userId: target.id });
  await answerPrivately(interaction, text.adminBalance(target.id, describeRemaining(balance), balance.reserved));
}
