// Finishes a Discord request whose process stopped after acknowledging it: finds its pending message, then completes it from the intake's payload.
import type { Intake } from '../../core/job-store.ts';
import type { Origin } from '../../core/request.ts';
import type { DiscordContext } from './context.ts';
import { finishImagine } from './imagine-command.ts';
import { parseIntakePayload, type DiscordIntakePayload } from './intake-payload.ts';
import { releaseIntake } from './intake.ts';
import { finishJobButton } from './job-buttons.ts';
import { text } from './messages.ts';
import { finishRemixModal } from './remix-modal.ts';
import { finishReplyRemix } from './reply-remix.ts';
import type { PendingRequest } from './start-job.ts';
import { editStatus, findPendingReply, findStatusMessage, isPermanentRefusal, postInChannel } from './status-message.ts';

/**
 * The origin the resumed job reports to, with the pending message's id: the deferred reply (through
 * the token while it lives), the recorded status message, or the one found in the channel. When there
 * is none (the process died before Discord received the acknowledgement, or the message was deleted),
 * a new pending message is posted in the channel. Undefined when the channel refuses that too.
 */
async function pendingMessageOf(context: DiscordContext, origin: Origin): Promise<Origin | undefined> {
  const { client } = context;
  const shown = await findStatusMessage(client, origin);
  if (shown !== undefined) return { ...origin, messageId: shown.id };
  if (origin.messageId === undefined) {
    const found = await findPendingReply(client, origin);
    if (found !== undefined) return { ...origin, messageId: found };
  }
  // The token has no message to edit, so later edits go straight to the new message in the channel.
  const { interaction: _unusedToken, messageId: _goneMessage, ...channelOrigin } = origin;
  try {
    const posted = await postInChannel(client, channelOrigin, { content: text.starting }, origin.replyToMessageId);
    return { ...channelOrigin, messageId: posted.id };
  } catch (error) {
    if (isPermanentRefusal(error)) return undefined;
    throw error;
  }
}

/** Runs the entry point's own completion, so a resumed request behaves exactly like the live one. */
async function finish(context: DiscordContext, payload: DiscordIntakePayload, pending: PendingRequest): Promise<void> {
  switch (payload.kind) {
    case 'imagine':
      return finishImagine(context, payload, pending);
    case 'job-button':
      return finishJobButton(context, payload, await context.service.getJob(payload.jobId), pending);
    case 'remix-modal':
    case 'message-remix':
      return finishRemixModal(context, payload, pending);
    case 'reply-remix':
      return finishReplyRemix(context, payload, pending);
  }
}

/**
 * The Discord `Delivery.resumeIntake`: finishes `intake` from its payload (downloads the attachments
 * again, starts the job with the intake's dedupe key, answers on the original pending message).
 * When that is no longer possible the pending message says why (source gone, attachment expired) or,
 * for a payload this version cannot read, that the bot restarted; nothing is charged and the intake
 * is forgotten. Failures that may pass (Discord unavailable) are thrown, for the core to handle.
 */
export async function resumeIntake(context: DiscordContext, intake: Intake): Promise<void> {
  const { dedupeKey } = intake;
  const log = context.logger.child({ dedupeKey });
  const payload = parseIntakePayload(intake.payload);
  if (payload === undefined) {
    log.warn('the request was recorded in a form this version cannot read; ending it');
    await context.delivery.interrupted(intake.origin, { prompt: intake.prompt });
    await context.service.release(dedupeKey);
    return;
  }
  const origin = await pendingMessageOf(context, intake.origin);
  if (origin === undefined) {
    log.warn('the request can no longer be answered in its channel; forgetting it');
    await context.service.release(dedupeKey);
    return;
  }
  log.info({ kind: payload.kind }, 'finishing a request acknowledged before a restart');
  await finish(context, payload, {
    dedupeKey,
    prompt: intake.prompt,
    origin: Promise.resolve(origin),
    show: (content) => editStatus(context.client, origin, { content, components: [] }),
  });
  // A no-op once the job exists; after a refusal shown on the message it forgets the request.
  await releaseIntake(context, dedupeKey);
}
