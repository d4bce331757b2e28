// Finds the latest finished image in a thread, by reading the job ids on the bot's status messages there.
import type { WebClient } from '@slack/web-api';
import type { ImagineService, JobView } from '../../core/imagine-service.ts';
import type { Logger } from '../../log.ts';
import { jobIdFromBlocks } from './blocks.ts';
import { readMessage } from './slack-payloads.ts';

/** What reading a thread for results needs. */
export interface ThreadLookup {
  client: WebClient;
  service: ImagineService;
  botUserId: string;
  logger: Logger;
}

/** Pages of 200 replies read at most; threads longer than that are rare and the newest results come last. */
const maxPages = 5;

/**
 * The most recent delivered job whose status message is in the thread `threadTs` of `channelId`, or
 * undefined. Works after a restart: the job ids come from the messages, the jobs from SQLite.
 */
export async function findLatestResult(lookup: ThreadLookup, channelId: string, threadTs: string): Promise<JobView | undefined> {
  const jobIds: string[] = [];
  let cursor: string | undefined;
  try {
    for (let page = 0; page < maxPages; page += 1) {
      const answer = await lookup.client.conversations.replies({ channel: channelId, ts: threadTs, limit: 200, ...(cursor ? { cursor } : {}) });
      for (const raw of answer.messages ?? []) {
        const message = readMessage(raw);
        // Only this bot's own messages: another app could post buttons with our action ids.
        if (message?.user !== lookup.botUserId) continue;
        const jobId = jobIdFromBlocks(message.blocks);
        if (jobId !== undefined) jobIds.push(jobId);
      }
      cursor = answer.response_metadata?.next_cursor || undefined;
      if (!answer.has_more || !cursor) break;
    }
  } catch (error) {
    lookup.logger.warn({ err: error, channel: channelId, thread: threadTs }, 'could not read the thread');
    return undefined;
  }
  for (const jobId of jobIds.reverse()) {
    const job = await lookup.service.getJob(jobId);
    if (job?.state === 'delivered') return job;
  }
  return undefined;
}
