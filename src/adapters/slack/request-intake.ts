// One Slack request from intake to answer: recorded before the ack, worked on by whichever process holds it, released when it ends without a job.
import type { Origin } from '../../core/request.ts';
import type { SlackIntakePayload } from './intake-payload.ts';
import { slackText } from './messages.ts';
import type { EphemeralTarget } from './notify.ts';
import type { SlackRuntime } from './runtime.ts';

/** Where a request stands when its work runs. */
export interface RequestContext {
  /** The intake's key (`slack:event:…`, `slack:command:…`, …); the job is stored under it. */
  dedupeKey: string;
  /** The status message a process that died on this request had already posted: reused, never posted twice. */
  statusTs?: string;
}

/**
 * The work of one request after it was recorded: reads what it needs (threads, files), posts or reuses the
 * status message and starts the job. Returns the text to answer with when it ends without a job (a
 * refusal, help) or when its user should hear something the status message cannot say yet (it follows
 * later), undefined otherwise. The same work runs live and after a takeover.
 */
export type RequestWork = (context: RequestContext) => Promise<string | undefined>;

/** How a request's answer reaches its user when it ends without a job. */
export interface RequestReply {
  /** Shows `text` (already escaped). */
  answer(text: string): Promise<void>;
}

/**
 * Records `payload` as an intake leased to this process and remembers its key in the shared store, so
 * that every process sharing the store handles the request once. False when it is a repeat: a redelivered
 * event, or a request another process holds or already turned into a job. Called before the ack.
 */
export async function claimRequest(runtime: SlackRuntime, request: { dedupeKey: string; prompt: string; payload: SlackIntakePayload }): Promise<boolean> {
  const { service } = runtime;
  const origin = intakeOrigin(request.payload);
  if (!(await service.accept({ dedupeKey: request.dedupeKey, origin, prompt: request.prompt, payload: request.payload }))) return false;
  // The intake is written first: a process that dies between the two writes leaves an intake (finished by
  // a takeover), never a remembered key with nothing behind it.
  if (await service.rememberEvent(request.dedupeKey)) return true;
  // Remembered but not pending: it was answered before without a job (a refusal); this is a redelivery.
  await service.release(request.dedupeKey);
  return false;
}

/**
 * Runs `work` for a claimed request and answers through `reply` when it ends without a job. The intake
 * is released on every way out (after a started job it is gone already), before the answer is shown, so
 * that a user who is told to try again can do so at once.
 */
export async function runRequest(runtime: SlackRuntime, context: RequestContext, reply: RequestReply, work: RequestWork): Promise<void> {
  let answer: string | undefined;
  try {
    answer = await work(context);
  } catch (error) {
    runtime.logger.error({ err: error, dedupeKey: context.dedupeKey }, 'a Slack request failed');
    answer = slackText.startFailed;
  }
  await runtime.service.release(context.dedupeKey).catch((error: unknown) => runtime.logger.warn({ err: error }, 'could not forget an intake'));
  if (answer !== undefined) await reply.answer(answer);
}

/** The thread a request's status message goes into; undefined for `/imagine`, whose status message starts one. */
export function requestThread(payload: SlackIntakePayload): string | undefined {
  switch (payload.kind) {
    case 'command':
      return undefined;
    case 'message':
      return payload.threadTs ?? payload.ts;
    case 'job-button':
    case 'remix-modal':
      return payload.threadTs;
  }
}

/** Where the request's pending message will be: enough to find it (or its thread) after a takeover. */
export function intakeOrigin(payload: SlackIntakePayload): Origin {
  const threadTs = requestThread(payload);
  return {
    platform: 'slack',
    ...(payload.requester.communityId ? { communityId: payload.requester.communityId } : {}),
    channelId: payload.channelId,
    ...(threadTs ? { threadId: threadTs } : {}),
    ...(payload.kind === 'message' ? { replyToMessageId: payload.ts } : {}),
  };
}

/** Where an ephemeral answer to the request's user goes. */
export function replyTarget(payload: SlackIntakePayload): EphemeralTarget {
  const threadTs = requestThread(payload);
  const responseUrl = payload.kind === 'message' ? undefined : payload.responseUrl;
  return {
    channelId: payload.channelId,
    userId: payload.requester.userId,
    ...(threadTs ? { threadTs } : {}),
    ...(responseUrl ? { responseUrl } : {}),
  };
}
