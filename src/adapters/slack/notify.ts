// Tells one user something only they see: an ephemeral message in the thread, or through a response URL.
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../log.ts';

/** Where an ephemeral answer goes. */
export interface EphemeralTarget {
  channelId: string;
  userId: string;
  threadTs?: string;
  /** From an interaction payload; works even where the bot is not a channel member. */
  responseUrl?: string;
}

/** Posts to a `response_url` (valid 30 minutes) without replacing the message it belongs to. */
export async function postToResponseUrl(responseUrl: string, text: string): Promise<void> {
  const response = await fetch(responseUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text }),
  });
  if (!response.ok) throw new Error(`response_url answered HTTP ${response.status}`);
}

/**
 * Shows `text` to the user: `chat.postEphemeral` keeps it in the thread; when that fails (the bot
 * is not in the channel) the response URL is tried. Failures are logged, never thrown.
 */
export async function tellUser(client: WebClient, target: EphemeralTarget, text: string, logger: Logger): Promise<void> {
  try {
    await client.chat.postEphemeral({
      channel: target.channelId,
      user: target.userId,
      text,
      ...(target.threadTs ? { thread_ts: target.threadTs } : {}),
    });
    return;
  } catch (error) {
    if (!target.responseUrl) {
      logger.warn({ err: error, channel: target.channelId }, 'could not show an ephemeral message');
      return;
    }
  }
  try {
    await postToResponseUrl(target.responseUrl, text);
  } catch (error) {
    logger.warn({ err: error, channel: target.channelId }, 'could not answer through the response URL');
  }
}
