// Marks the status message of a request with its dedupe key, so a process taking the request over finds it instead of posting another.
import type { WebClient } from '@slack/web-api';
import type { Intake } from '../../core/job-store.ts';
import { slackErrorCode, stringField } from './slack-payloads.ts';

/** The message-metadata event type on the bot's status messages. */
const pendingEventType = 'nano_imagine_request';

/**
 * Metadata for `chat.postMessage`: invisible to people, posted in the same call as the message, so a
 * status message can never exist without it (unlike a ts recorded in the store after the post).
 */
export function pendingMarker(dedupeKey: string): { event_type: string; event_payload: { dedupe_key: string } } {
  return { event_type: pendingEventType, event_payload: { dedupe_key: dedupeKey } };
}

/** How long before the intake's recording a channel is read from: covers clocks of different hosts disagreeing. */
const clockSkewMs = 60_000;

/** Pages of 200 messages read at most; the status message comes right after the intake, so it is on the first in practice. */
const maxPages = 5;

/** Errors meaning there is nothing to read: the thread or channel is gone or closed to the bot (posting will say so too). */
const unreadableErrors = new Set(['thread_not_found', 'channel_not_found', 'not_in_channel', 'is_archived', 'missing_scope']);

function markedWith(raw: unknown, dedupeKey: string): boolean {
  const metadata = (raw as { metadata?: unknown }).metadata;
  const payload = (metadata as { event_payload?: unknown } | undefined)?.event_payload;
  return stringField(metadata, 'event_type') === pendingEventType && stringField(payload, 'dedupe_key') === dedupeKey;
}

/**
 * The ts of the status message already posted for `intake` (by a process that then died), or undefined
 * when none was. The request's thread is read when it has one; an `/imagine` status message starts its
 * own thread at channel level, so the channel's messages since the intake was recorded are read instead.
 * Throws when Slack cannot be read right now, so the takeover is tried again rather than posting twice.
 */
export async function findPendingStatus(client: WebClient, botUserId: string, intake: Pick<Intake, 'dedupeKey' | 'origin' | 'createdAt'>): Promise<string | undefined> {
  const { channelId: channel, threadId } = intake.origin;
  if (!channel) return undefined;
  let cursor: string | undefined;
  try {
    for (let page = 0; page < maxPages; page += 1) {
      const paging = { include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) };
      const answer = threadId
        ? await client.conversations.replies({ channel, ts: threadId, ...paging })
        : await client.conversations.history({ channel, oldest: String((intake.createdAt - clockSkewMs) / 1000), ...paging });
      for (const raw of answer.messages ?? []) {
        if (stringField(raw, 'user') === botUserId && markedWith(raw, intake.dedupeKey)) return stringField(raw, 'ts');
      }
      cursor = answer.response_metadata?.next_cursor || undefined;
      if (!answer.has_more || !cursor) return undefined;
    }
  } catch (error) {
    const code = slackErrorCode(error);
    if (code !== undefined && unreadableErrors.has(code)) return undefined;
    throw error;
  }
  return undefined;
}
