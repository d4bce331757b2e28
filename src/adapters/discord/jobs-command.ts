// /jobs: the asker's last jobs with their state and a link to each posted image, answered privately.
import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import type { JobHistoryEntry } from '../../core/job-history.ts';
import type { DiscordContext } from './context.ts';
import { text } from './messages.ts';
import { interactionRequester } from './origin.ts';
import { escapedInlinePrompt } from './render.ts';
import { noMentions } from './status-message.ts';

/** Discord refuses content over 2,000 characters. */
const maxContentLength = 2000;

/** Prompt lengths tried in turn until ten lines with their links fit in one message. */
const promptLengths = [80, 50, 30, 15] as const;

/** Where the posted image is: a message link opens it in the client (`@me` for direct messages). */
function messageLink(entry: JobHistoryEntry): string | undefined {
  const { origin, deliveredMessageId } = entry;
  if (deliveredMessageId === null || origin.channelId === undefined) return undefined;
  return `https://discord.com/channels/${origin.communityId ?? '@me'}/${origin.channelId}/${deliveredMessageId}`;
}

function stateOf(entry: JobHistoryEntry): string {
  if (entry.phase !== 'failed') return text.jobPhase[entry.phase];
  // A cancelled job is stored as failed with the code `cancelled`; nothing went wrong, so it is not called a failure.
  return entry.failureCode === 'cancelled' ? text.jobCancelled : text.jobFailed(entry.failureCode ?? 'internal');
}

/** The whole answer, with prompts shortened as much as needed to fit. */
export function renderJobs(entries: readonly JobHistoryEntry[]): string {
  if (entries.length === 0) return text.jobsNone;
  let content = '';
  for (const maximum of promptLengths) {
    const lines = entries.map((entry) => text.jobLine({
      shortId: entry.shortId,
      state: stateOf(entry),
      unixSeconds: Math.floor(entry.createdAt / 1000),
      prompt: escapedInlinePrompt(entry.prompt, maximum),
      link: messageLink(entry),
    }));
    content = [text.jobsHeading(entries.length), ...lines].join('\n');
    if (content.length <= maxContentLength) return content;
  }
  return content.slice(0, maxContentLength);
}

/** Handles `/jobs`: only the asker sees the answer, and it lists only their own jobs. */
export async function handleJobs(context: DiscordContext, interaction: ChatInputCommandInteraction): Promise<void> {
  const entries = await context.service.recentJobs(interactionRequester(interaction));
  await interaction.reply({ content: renderJobs(entries), flags: MessageFlags.Ephemeral, allowedMentions: noMentions });
}
