// Starts a job from a built request and ends the pending message when the core refuses it.
import type { GenerationRequest, Origin } from '../../core/request.ts';
import { isBotError } from '../../core/errors.ts';
import type { DiscordContext } from './context.ts';
import { explainError, text } from './messages.ts';
import { channelRefusalText } from './screening.ts';

/** Replaces the pending message's text (and removes any buttons). */
export type ShowText = (content: string) => Promise<unknown>;

/**
 * An acknowledged request being finished: by its handler right after the acknowledgement, or by
 * whoever took its intake over after that handler's process stopped. Both go through the same code.
 */
export interface PendingRequest {
  /** The intake's key; the job is started with it, so however often the request is finished it is charged once. */
  dedupeKey: string;
  /** What the user typed (Reroll and 4K repeat their job's prompt instead). */
  prompt: string;
  /** Where the job reports: the pending message, with its id once known (the live path looks it up meanwhile). */
  origin: Promise<Origin>;
  /** Replaces the pending message's text. */
  show: ShowText;
  /** Tells the requester alone (see `privateRefusal`); undefined when no interaction can still answer privately. */
  showPrivately?: ShowText;
}

/**
 * Hands `request` to the core. A refusal (`invalid_request`, `quota_exceeded`) ends the pending
 * message with its user-ready reason; anything else unexpected ends it with a generic apology.
 * A blocked prompt or a channel the server does not allow is told to the requester alone through
 * `showPrivately` (see `privateRefusal`); without it (no interaction to answer) the pending message says
 * only that a blocked term was used or that the bot is not used here. (Handlers screen requests before
 * they post anything, so these refusals from `start` are the rare case of a setting changed meanwhile.)
 * On success the pending message shows the job's place in line until the runner reports progress.
 */
export async function startJob(
  context: DiscordContext,
  request: GenerationRequest,
  dedupeKey: string,
  show: ShowText,
  showPrivately?: ShowText,
): Promise<void> {
  let started;
  try {
    started = await context.service.start(request, { dedupeKey });
  } catch (error) {
    if (isBotError(error) && error.code === 'stopping') {
      context.logger.info({ dedupeKey }, 'stopping: the request is left for the next process to finish');
      return;
    }
    if (isBotError(error) && error.code === 'prompt_blocked') {
      if (showPrivately === undefined) await show(text.rejected(explainError(error.code, error.message)));
      else await showPrivately(text.promptBlocked(error.blockedRule ?? error.message, error.blockedSource));
      return;
    }
    if (isBotError(error) && error.code === 'channel_not_allowed') {
      if (showPrivately === undefined) await show(text.rejected(explainError(error.code, error.message)));
      else await showPrivately(await channelRefusalText(context, request.requester.communityId));
      return;
    }
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
