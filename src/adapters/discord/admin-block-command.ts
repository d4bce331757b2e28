// /imagine-admin block add|remove|list: the server's own blocked terms, managed by its admins (Manage Server or ADMIN_USER_IDS).
import type { ChatInputCommandInteraction } from 'discord.js';
import { isBotError } from '../../core/errors.ts';
import { codeSpan } from './code-span.ts';
import { adminBlockSubcommands, adminOptions } from './command-names.ts';
import type { DiscordContext } from './context.ts';
import { text } from './messages.ts';
import { interactionRequester } from './origin.ts';
import { replyPrivately } from './private-refusal.ts';
import { administeredServerKey } from './server-admin.ts';

/** Discord refuses content over 2,000 characters; the list leaves room for its heading and closing line. */
const maxListCharacters = 1500;

/** `entries` as code spans, as many as fit, then how many were left out. */
function listedTerms(entries: readonly string[]): string {
  const shown: string[] = [];
  let length = 0;
  for (const entry of entries) {
    const span = codeSpan(entry);
    if (length + span.length + 2 > maxListCharacters) break;
    shown.push(span);
    length += span.length + 2;
  }
  const left = entries.length - shown.length;
  return left > 0 ? `${shown.join(', ')} ${text.more(left)}` : shown.join(', ');
}

/**
 * Handles `/imagine-admin block …`. Every change goes through `changeSettings`, which checks the
 * entry (length, a regular expression that could hang the bot, too many entries) and records who
 * made it; a refused entry is explained to the admin alone and nothing changes.
 */
export async function handleAdminBlock(context: DiscordContext, interaction: ChatInputCommandInteraction): Promise<void> {
  const key = await administeredServerKey(context, interaction);
  if (key === undefined) return;
  const subcommand = interaction.options.getSubcommand(true);
  if (subcommand === adminBlockSubcommands.list) {
    const { blockedTerms } = await context.service.communitySettings(key);
    await replyPrivately(interaction, blockedTerms.length === 0 ? text.blockListEmpty : text.blockList(blockedTerms.length, listedTerms(blockedTerms)));
    return;
  }
  const term = interaction.options.getString(adminOptions.term, true);
  const actor = interactionRequester(interaction);
  if (subcommand === adminBlockSubcommands.remove) {
    const { blockedTerms } = await context.service.communitySettings(key);
    if (!blockedTerms.includes(term)) {
      await replyPrivately(interaction, text.blockNotListed(codeSpan(term)));
      return;
    }
    const after = await context.service.changeSettings(key, { setting: 'unblockTerm', entry: term }, actor);
    await replyPrivately(interaction, text.blockRemoved(codeSpan(term), after.blockedTerms.length));
    return;
  }
  try {
    const after = await context.service.changeSettings(key, { setting: 'blockTerm', entry: term }, actor);
    await replyPrivately(interaction, text.blockAdded(codeSpan(term), after.blockedTerms.length));
  } catch (error) {
    if (!isBotError(error) || error.code !== 'invalid_request') throw error;
    await replyPrivately(interaction, text.blockRefused(codeSpan(term), error.message));
  }
}
