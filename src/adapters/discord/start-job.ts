// Starts a job from a built request and ends the pending message when the core refuses it.
import type { GenerationRequest } from '../../core/request.ts';
import { isBotError } from '../../core/errors.ts';
import type { DiscordContext } from './context.ts';
import { text } from './messages.ts';

/** Replaces the pending message's text (and removes any buttons). */
export type ShowText = (content: string) => Promise<unknown>;

/**
 * Hands `request` to the core. A refusal (`invalid_request`, `quota_exceeded`) ends the pending
 * message with its user-ready reason; anything else unexpected ends it with a generic apology.
 * On success the pending message shows the job's place in line until the runner reports progress.
 */
export async function startJob(context: DiscordContext, request: GenerationRequest, dedupeKey: string, show: ShowText): Promise<void> {
  let started;
  try {
    started = await context.service.start(request, { dedupeKey });
  } catch (error) {
    if (isBotError(error) && (error.code === 'invalid_request' || error.code === 'quota_exceeded')) {
      await show(text.rejected(error.message));
      return;
    }
    context.logger.error({ err: error, dedupeKey }, 'could not start a job');
    await show(text.internalError);
    return;
  }
  context.delivery.announce(request.origin, started);
}
