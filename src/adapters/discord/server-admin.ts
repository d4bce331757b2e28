// Who may govern a server through the bot: Discord's Manage Server permission, or ADMIN_USER_IDS.
import { PermissionFlagsBits, type BaseInteraction, type RepliableInteraction } from 'discord.js';
import type { Actor } from '../../core/imagine-service.ts';
import type { DiscordContext } from './context.ts';
import { text } from './messages.ts';
import { interactionRequester } from './origin.ts';
import { replyPrivately } from './private-refusal.ts';

/**
 * True when the interaction's user manages the server it came from, or is one of the bot's admins.
 * Discord already hides the admin commands from others (default member permissions), but a server
 * can change that, so every handler asks again.
 */
export function isServerAdmin(context: DiscordContext, interaction: BaseInteraction): boolean {
  if (interaction.guildId !== null && interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) === true) return true;
  return context.service.isAdmin(interactionRequester(interaction));
}

/** The interaction's user with the rights the core checks (cancel someone's job, change settings). */
export function actorOf(context: DiscordContext, interaction: BaseInteraction): Actor {
  return { ...interactionRequester(interaction), isCommunityAdmin: isServerAdmin(context, interaction) };
}

/** The key of a server's settings and moderation log. */
export function serverKey(guildId: string): string {
  return `discord:${guildId}`;
}

/**
 * The key of the server `interaction` came from when its user administers it; otherwise tells them
 * alone that only server admins may do this and returns undefined (nothing changes).
 */
export async function administeredServerKey(context: DiscordContext, interaction: RepliableInteraction): Promise<string | undefined> {
  const guildId = interaction.guildId;
  if (guildId !== null && isServerAdmin(context, interaction)) return serverKey(guildId);
  await replyPrivately(interaction, text.serverAdminOnly);
  return undefined;
}
