// Finishes a Slack request another process (or this one, before a restart) acknowledged but did not turn into a job.
import type { Intake } from '../../core/job-store.ts';
import { startJobButton } from './action-handlers.ts';
import { statusMessage } from './blocks.ts';
import { startCommand } from './command-handler.ts';
import { parseIntakePayload, type SlackIntakePayload } from './intake-payload.ts';
import { handleMessage } from './message-handlers.ts';
import { slackText } from './messages.ts';
import { tellUser } from './notify.ts';
import { findPendingStatus } from './pending-status.ts';
import { replyTarget, runRequest, type RequestContext, type RequestReply } from './request-intake.ts';
import { startRemix } from './remix-handlers.ts';
import type { SlackRuntime } from './runtime.ts';
import { slackErrorCode } from './slack-payloads.ts';

/** The same work the live handler of `payload`'s kind runs after recording it. */
function workOf(runtime: SlackRuntime, payload: SlackIntakePayload): (context: RequestContext) => Promise<string | undefined> {
  switch (payload.kind) {
    case 'command':
      return (context) => startCommand(runtime, payload, context);
    case 'message':
      return (context) => handleMessage(runtime, payload, context);
    case 'job-button':
      return (context) => startJobButton(runtime, payload, context);
    case 'remix-modal':
      return (context) => startRemix(runtime, payload, context);
  }
}

/**
 * How the taken-over request answers when it ends without a job: by ending the pending status message
 * the first process posted (it must not stay "queued"), else privately like the live handler would.
 */
function takeoverReply(runtime: SlackRuntime, intake: Intake, payload: SlackIntakePayload, statusTs: string | undefined): RequestReply {
  return {
    async answer(text) {
      if (statusTs === undefined) {
        await tellUser(runtime.client, replyTarget(payload), text, runtime.logger);
        return;
      }
      const body = statusMessage(slackText.notFinished(intake.prompt), { context: `${text} ${slackText.refund(0)}` });
      try {
        const place = { workspace: payload.requester.communityId, channel: payload.channelId };
        await runtime.pacing.outcome('chat.update', place, () =>
          runtime.pacing.client.chat.update({ channel: payload.channelId, ts: statusTs, text: body.text, blocks: body.blocks }),
        );
      } catch (error) {
        runtime.logger.warn({ err: error, code: slackErrorCode(error), dedupeKey: intake.dedupeKey }, 'could not end the status message of a taken-over request');
      }
    },
  };
}

/**
 * Finishes `intake` from its payload: reuses the status message the first process had posted (found by its
 * marker) or posts one, downloads the attachments again, starts the job under the intake's dedupe key
 * and answers like the live path. When that is no longer possible (files gone or unreadable, the job it
 * builds on purged, the channel closed) the pending message ends with the reason and nothing is charged.
 * Throws, leaving the ending to the caller's apology, only when the payload cannot be read, or when Slack
 * cannot be asked whether a status message exists (so none is posted twice).
 */
export async function resumeSlackIntake(runtime: SlackRuntime, intake: Intake): Promise<void> {
  const payload = parseIntakePayload(intake.payload);
  if (!payload) throw new Error('the intake payload is not one this version of the Slack adapter can read');
  const statusTs = await findPendingStatus(runtime.client, runtime.botUserId, intake);
  runtime.logger.info({ dedupeKey: intake.dedupeKey, kind: payload.kind, statusTs }, 'finishing a Slack request taken over');
  const context: RequestContext = { dedupeKey: intake.dedupeKey, ...(statusTs ? { statusTs } : {}) };
  await runRequest(runtime, context, takeoverReply(runtime, intake, payload, statusTs), workOf(runtime, payload));
}
