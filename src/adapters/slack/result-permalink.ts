// Finds the Slack permalink of a delivered job's image message, for the history listing.
import type { WebClient } from '@slack/web-api';
import type { JobHistoryEntry } from '../../core/job-history.ts';

/** A message timestamp (`1700000000.000100`): what a delivery records when it had no file id. */
const messageTsPattern = /^\d+\.\d+$/;

/** Slack file ids (`F0123ABC`): what a delivery records for an uploaded result. */
const fileIdPattern = /^F[A-Z0-9]+$/;

/** The ts of the message carrying `fileId` in `channelId`, from the file's `shares` (one lookup: the listing does not wait). */
async function fileMessageTs(client: WebClient, fileId: string, channelId: string): Promise<string | undefined> {
  const answer = await client.files.info({ file: fileId });
  const shares = (answer.file as { shares?: Record<string, Record<string, Array<{ ts?: string }>>> } | undefined)?.shares;
  return shares?.public?.[channelId]?.[0]?.ts ?? shares?.private?.[channelId]?.[0]?.ts;
}

/**
 * The permalink of the message showing `entry`'s image, or undefined when it is not delivered or
 * Slack no longer knows it (deleted, or the bot left the channel): the listing then simply has no link.
 */
export async function resultPermalink(client: WebClient, entry: JobHistoryEntry): Promise<string | undefined> {
  const { deliveredMessageId, origin } = entry;
  const channel = origin.channelId;
  if (deliveredMessageId === null || channel === undefined) return undefined;
  try {
    const ts = messageTsPattern.test(deliveredMessageId)
      ? deliveredMessageId
      : fileIdPattern.test(deliveredMessageId) ? await fileMessageTs(client, deliveredMessageId, channel) : undefined;
    if (ts === undefined) return undefined;
    // Slack builds the link itself (workspace domain, thread), so none of that is guessed here.
    const answer = await client.chat.getPermalink({ channel, message_ts: ts });
    return answer.permalink;
  } catch {
    return undefined;
  }
}
