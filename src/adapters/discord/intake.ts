// Persist, then acknowledge: a Discord request is recorded before its pending message appears, and forgotten when it ends without a job.
import type { AcceptedRequest } from '../../core/imagine-service.ts';
import type { DiscordContext } from './context.ts';

/** The dedupe key of a job started by an interaction (a command, a button or a modal submit). */
export function interactionKey(interactionId: string): string {
  return `discord:interaction:${interactionId}`;
}

/** The dedupe key of a job started by a message (reply-to-remix). */
export function messageKey(messageId: string): string {
  return `discord:message:${messageId}`;
}

/**
 * Forgets the intake of `dedupeKey`. Never throws: it runs in `finally` blocks, where a failure
 * (the database already closed during shutdown) must not hide the handler's own outcome. An intake
 * left behind is only ended, harmlessly, on the next start.
 */
export async function releaseIntake(context: DiscordContext, dedupeKey: string): Promise<void> {
  try {
    await context.service.release(dedupeKey);
  } catch (error) {
    context.logger.warn({ err: error, dedupeKey }, 'could not forget an intake; the next start will end it');
  }
}

/**
 * Records `request` (see `ImagineService.accept`), then runs `handle`, which answers the platform
 * and normally starts the job with the same dedupe key. Whatever way `handle` ends, the intake is
 * released afterwards: after `start` that is a no-op, on every other path (a refusal made here, a
 * failed download, an error) it is what keeps the next start from telling the user about a crash
 * that never happened. Only a process that dies inside `handle` leaves the intake for recovery.
 *
 * Returns false, without running `handle`, when the key was seen before: the same event is already
 * being handled (or became a job), and that handler owns the answer and the intake.
 */
export async function withIntake(context: DiscordContext, request: AcceptedRequest, handle: () => Promise<void>): Promise<boolean> {
  if (!await context.service.accept(request)) {
    context.logger.info({ dedupeKey: request.dedupeKey }, 'request already accepted once; ignoring the repeat');
    return false;
  }
  try {
    await handle();
  } finally {
    await releaseIntake(context, request.dedupeKey);
  }
  return true;
}
