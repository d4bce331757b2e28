// /imagine-admin moderation: this server's latest blocked prompts and provider refusals, for its admins alone.
import type { ChatInputCommandInteraction } from 'discord.js';
import type { ModerationEvent } from '../../core/community-store.ts';
import { codeSpan } from './code-span.ts';
import type { DiscordContext } from './context.ts';
import { text } from './messages.ts';
import { replyPrivately } from './private-refusal.ts';
import { escapedInlinePrompt } from './render.ts';
import { administeredServerKey } from './server-admin.ts';

/** Entries shown: the latest ones fit one message. */
const shownEntries = 15;
/** Discord refuses content over 2,000 characters. */
const maxContentLength = 2000;
/** Prompt and rule lengths tried in turn until every line fits. */
const detailLengths = [60, 40, 25, 12] as const;

/** The platform user id of a `discord:123` key (the log keeps platform-qualified keys). */
function userIdOf(requesterKey: string): string {
  return requesterKey.slice(requesterKey.indexOf(':') + 1);
}

function lineOf(event: ModerationEvent, maximum: number): string {
  const reason = event.kind === 'blocked'
    ? text.moderationBlocked(codeSpan(event.detail, maximum), event.source === 'server' ? 'server' : 'operator')
    : text.moderationRefused(escapedInlinePrompt(event.detail, maximum));
  return text.moderationLine({
    unixSeconds: Math.floor(event.createdAt / 1000),
    userId: userIdOf(event.requesterKey),
    channelId: event.channelId,
    prompt: escapedInlinePrompt(event.prompt, maximum),
    reason,
  });
}

/** The whole answer, with prompts and rules shortened as much as needed to fit. */
export function renderModeration(events: readonly ModerationEvent[]): string {
  if (events.length === 0) return text.moderationNone;
  let content = '';
  for (const maximum of detailLengths) {
    content = [text.moderationHeading(events.length), ...events.map((event) => lineOf(event, maximum))].join('\n');
    if (content.length <= maxContentLength) return content;
  }
  return content.slice(0, maxContentLength);
}

/** Handles `/imagine-admin moderation`: ephemeral, Manage Server or ADMIN_USER_IDS only; mentions in it ping nobody. */
export async function handleModeration(context: DiscordContext, interaction: ChatInputCommandInteraction): Promise<void> {
  const communityKey = await administeredServerKey(context, interaction);
  if (communityKey === undefined) return;
  const events = await context.service.moderationLog({ communityKey, limit: shownEntries });
  await replyPrivately(interaction, renderModeration(events));
}
