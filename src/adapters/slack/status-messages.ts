// Where each job's Slack status message is: posted with the request, posted later when the channel's budget allowed, or not yet at all.
import type { Origin } from '../../core/request.ts';
import type { Logger } from '../../log.ts';
import type { MessageBody } from './blocks.ts';
import { findPendingStatus, pendingMarker } from './pending-status.ts';
import { slackErrorCode } from './slack-payloads.ts';
import type { SlackPacing } from './slack-pacing.ts';

/** The status messages of the jobs this process reports. */
export interface StatusMessages {
  /** Records that this process started `jobId` without a status message: it posts one later and need not look for an earlier one. */
  adopt(jobId: string): void;
  /**
   * The ts of the job's status message if it exists: from the origin, from this process's memory (posted
   * late), or, for a job this process did not start, found by its marker in the channel.
   */
  find(origin: Origin, jobId: string): Promise<string | undefined>;
  /**
   * Shows `body` as the job's newest state, from the budget left after outcomes: an edit when the message
   * exists, its first post when it was deferred and does not yet (a first post waits for the budget, an edit
   * is replaced by newer states or dropped when stale).
   */
  show(origin: Origin, jobId: string, body: MessageBody): void;
  /** Drops the job's unsent states and waits for a post or edit under way; then the message's ts, if it exists. */
  settle(origin: Origin, jobId: string): Promise<string | undefined>;
  /** Drops the job's unsent states without waiting: this process no longer speaks for the job. */
  forget(jobId: string): void;
}

/** Origin extras of a job started before its status message could be posted (see `deferredStatus`). */
const statusKeyField = 'statusKey';
const requestedAtField = 'requestedAt';

/** The extras that mark a job whose status message follows later: its marker key and when it was asked for. */
export function deferredStatusExtras(dedupeKey: string, requestedAt: number): Record<string, string> {
  return { [statusKeyField]: dedupeKey, [requestedAtField]: String(requestedAt) };
}

/** The marker key and request time of a job whose status message was deferred; undefined for other jobs. */
export function deferredStatus(origin: Origin): { dedupeKey: string; requestedAt: number } | undefined {
  const dedupeKey = origin.extra?.[statusKeyField];
  const requestedAt = Number(origin.extra?.[requestedAtField]);
  return dedupeKey && Number.isFinite(requestedAt) ? { dedupeKey, requestedAt } : undefined;
}

/** Jobs whose posted ts is remembered at most (a job lives minutes; this is hours of a busy workspace). */
const rememberedJobs = 5000;

/** Slack errors meaning the channel cannot take the post: trying again every progress tick cannot help. */
const unpostableErrors = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

/** The status messages over `pacing`; `botUserId` tells the bot's own marked messages in a channel. */
export function createStatusMessages(dependencies: { pacing: SlackPacing; botUserId: string; logger: Logger }): StatusMessages {
  const { pacing, botUserId, logger } = dependencies;
  const { client, pacer } = pacing;
  const posted = new Map<string, string>();
  /** Jobs whose existing message is known (or known not to exist) without reading the channel. */
  const known = new Set<string>();
  const posting = new Set<string>();
  const unpostable = new Set<string>();
  const lookups = new Map<string, Promise<void>>();

  const keyOf = (jobId: string) => `slack:${jobId}`;

  function remember(set: Set<string> | Map<string, string>, jobId: string, ts?: string): void {
    if (set instanceof Map) set.set(jobId, ts as string);
    else set.add(jobId);
    if (set.size > rememberedJobs) set.delete(set.keys().next().value as string);
  }

  /** Reads the channel once for a message an earlier process posted for the job (after a restart or a takeover). */
  function lookUp(origin: Origin, jobId: string): Promise<void> {
    const deferred = deferredStatus(origin);
    if (known.has(jobId) || deferred === undefined) return Promise.resolve();
    let lookup = lookups.get(jobId);
    if (lookup === undefined) {
      const method = origin.threadId ? 'conversations.replies' : 'conversations.history';
      lookup = pacing
        .outcome(method, { workspace: origin.communityId }, () =>
          findPendingStatus(client, botUserId, { dedupeKey: deferred.dedupeKey, origin, createdAt: deferred.requestedAt }),
        )
        .then(
          (ts) => {
            if (ts !== undefined) remember(posted, jobId, ts);
            remember(known, jobId);
          },
          (error: unknown) => logger.warn({ err: error, jobId }, 'could not look for the status message of a taken-over job'),
        )
        .finally(() => lookups.delete(jobId));
      lookups.set(jobId, lookup);
    }
    return lookup;
  }

  function tsOf(origin: Origin, jobId: string): string | undefined {
    return origin.messageId ?? posted.get(jobId);
  }

  function show(origin: Origin, jobId: string, body: MessageBody): void {
    const channel = origin.channelId;
    if (channel === undefined) return;
    const deferred = deferredStatus(origin);
    if (tsOf(origin, jobId) === undefined && deferred !== undefined && !known.has(jobId)) {
      void lookUp(origin, jobId).then(() => {
        if (known.has(jobId)) show(origin, jobId, body);
      });
      return;
    }
    const place = { workspace: origin.communityId, channel };
    if (tsOf(origin, jobId) !== undefined || posting.has(jobId)) {
      // The edit reads the ts when it is sent: a first post still under way has recorded it by then.
      const edit = pacing.call('chat.update', place, async () => {
        const ts = tsOf(origin, jobId);
        if (ts !== undefined) await client.chat.update({ channel, ts, text: body.text, blocks: body.blocks });
      });
      pacer.decorate(keyOf(jobId), { ...edit, essential: false });
      return;
    }
    if (deferred === undefined || unpostable.has(jobId)) return;
    const post = pacing.call('chat.postMessage', place, async () => {
      posting.add(jobId);
      try {
        const answer = await client.chat.postMessage({
          channel,
          text: body.text,
          blocks: body.blocks,
          unfurl_links: false,
          unfurl_media: false,
          // The same marker as a status message posted with the request: a process taking the job over finds it.
          metadata: pendingMarker(deferred.dedupeKey),
          ...(origin.threadId ? { thread_ts: origin.threadId } : {}),
        });
        if (answer.ts) remember(posted, jobId, answer.ts);
      } catch (error) {
        const code = slackErrorCode(error);
        if (code !== undefined && unpostableErrors.has(code)) remember(unpostable, jobId);
        throw error;
      } finally {
        posting.delete(jobId);
      }
    });
    pacer.decorate(keyOf(jobId), { ...post, essential: true });
  }

  return {
    adopt: (jobId) => remember(known, jobId),
    async find(origin, jobId) {
      if (tsOf(origin, jobId) === undefined) await lookUp(origin, jobId);
      return tsOf(origin, jobId);
    },
    show,
    async settle(origin, jobId) {
      await pacer.settle(keyOf(jobId));
      if (tsOf(origin, jobId) === undefined) await lookUp(origin, jobId);
      return tsOf(origin, jobId);
    },
    forget(jobId) {
      void pacer.settle(keyOf(jobId)).catch((error: unknown) => logger.warn({ err: error, jobId }, 'could not drop the queued updates of a job'));
    },
  };
}
