// Finds a result a process posted but did not record as delivered (it died in between), so recovery never posts it twice.
import type { DeliveryReceipt } from '../../core/delivery.ts';
import type { Origin } from '../../core/request.ts';
import type { Logger } from '../../log.ts';
import { readMessage } from './slack-payloads.ts';
import type { SlackPacing } from './slack-pacing.ts';
import { deferredStatus, type StatusMessages } from './status-messages.ts';

/** How far back a channel is read for a result posted before its job was recorded as delivered (clocks of hosts differ). */
const clockSkewMs = 60_000;

/** A posted file named after `jobId` among `messages`. */
function fileOf(messages: unknown[] | undefined, jobId: string): DeliveryReceipt | undefined {
  const prefix = `nano-imagine-${jobId}.`;
  for (const raw of messages ?? []) {
    const file = readMessage(raw)?.files.find((candidate) => candidate.name.startsWith(prefix));
    if (file) return { messageId: file.id };
  }
  return undefined;
}

/**
 * The file of `jobId`'s result if it is already in Slack: in the job's thread (the origin's, else its
 * status message's, which an `/imagine` status message starts), or at channel level after the request
 * for a job whose status message was deferred. Undefined when not found or Slack cannot be read.
 */
export async function findPostedResult(dependencies: { pacing: SlackPacing; statuses: StatusMessages; logger: Logger }, origin: Origin, jobId: string): Promise<DeliveryReceipt | undefined> {
  const { pacing, statuses, logger } = dependencies;
  const { client } = pacing;
  const channel = origin.channelId;
  if (!channel) return undefined;
  try {
    const threadTs = origin.threadId ?? (await statuses.find(origin, jobId));
    const workspace = { workspace: origin.communityId };
    if (threadTs !== undefined) {
      const answer = await pacing.outcome('conversations.replies', workspace, () => client.conversations.replies({ channel, ts: threadTs, limit: 200 }));
      return fileOf(answer.messages, jobId);
    }
    // Posted without a status message: at channel level, after the request.
    const deferred = deferredStatus(origin);
    if (deferred === undefined) return undefined;
    const oldest = String((deferred.requestedAt - clockSkewMs) / 1000);
    const answer = await pacing.outcome('conversations.history', workspace, () => client.conversations.history({ channel, oldest, limit: 200 }));
    return fileOf(answer.messages, jobId);
  } catch (error) {
    logger.warn({ err: error, jobId }, 'could not look for an earlier post of this result');
  }
  return undefined;
}
