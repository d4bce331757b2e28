// /imagine-admin spend: the operator's spend table (the admin CLI's), only to ADMIN_USER_IDS, cut to fit one Discord message.
import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import { parseSpendDate, spendTableLines, type SpendGrouping, type SpendQuery } from '../../core/spend-report.ts';
import { adminOptions } from './command-names.ts';
import type { DiscordContext } from './context.ts';
import { text } from './messages.ts';
import { requesterOf } from './origin.ts';
import { noMentions } from './status-message.ts';

/** Discord refuses content over 2,000 characters; the table keeps room for the heading and the closing note. */
const maxTableCharacters = 1600;

/** The table in a code block, with as many rows as fit and a note saying how many were left out. */
function fitTable(lines: readonly string[]): string {
  const [header = '', ...rows] = lines;
  const total = rows.at(-1) ?? '';
  const groups = rows.slice(0, -1);
  const shown: string[] = [];
  let length = header.length + total.length;
  for (const row of groups) {
    if (length + row.length + 1 > maxTableCharacters) break;
    shown.push(row);
    length += row.length + 1;
  }
  const block = ['```', header, ...shown, total, '```'].join('\n');
  const left = groups.length - shown.length;
  return left > 0 ? `${block}\n${text.spendCut(left)}` : block;
}

/** Handles `/imagine-admin spend [by] [since]`: ephemeral, for admins only. */
export async function handleAdminSpend(context: DiscordContext, interaction: ChatInputCommandInteraction): Promise<void> {
  const answer = (content: string) => interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: noMentions });
  if (!context.service.isAdmin(requesterOf(interaction.user, interaction.guildId))) {
    await answer(text.spendAdminOnly);
    return;
  }
  const by = (interaction.options.getString(adminOptions.by) ?? 'provider') as SpendGrouping;
  const sinceText = interaction.options.getString(adminOptions.since) ?? undefined;
  const since = sinceText === undefined ? undefined : parseSpendDate(sinceText);
  if (sinceText !== undefined && since === undefined) {
    await answer(text.spendSinceInvalid(sinceText));
    return;
  }
  const query: SpendQuery = { by, ...(since === undefined ? {} : { since }) };
  const rows = await context.service.spendReport(query);
  const heading = text.spendHeading(by, sinceText);
  await answer(rows.length === 0 ? `${heading}\n${text.spendNone}` : `${heading}\n${fitTable(spendTableLines(rows, query))}`);
}
