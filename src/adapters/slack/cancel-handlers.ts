// Cancel: the button on a pending status message and `/imagine cancel <id>`, for the requester or a workspace admin.
import type { App, BlockAction } from '@slack/bolt';
import type { CancelResult } from '../../core/imagine-service.ts';
import type { Requester } from '../../core/request.ts';
import { actionIds } from './blocks.ts';
import { communityText } from './community-messages.ts';
import { slackRequester, type SlackRuntime } from './runtime.ts';
import { stringField } from './slack-payloads.ts';

/**
 * Cancels the job `reference` names for `requester`. Their admin rights are looked up (`users.info`)
 * only when they matter, that is when the job is someone else's: a requester cancelling their own job
 * costs no Slack call. ADMIN_USER_IDS are recognised by the service itself.
 */
export async function cancelFor(runtime: SlackRuntime, reference: string, requester: Requester): Promise<CancelResult> {
  const { service, users } = runtime;
  const result = await service.cancel(reference, { ...requester, isCommunityAdmin: false });
  if (result.kind !== 'not_allowed' || !(await users.isAdmin(requester))) return result;
  return service.cancel(reference, { ...requester, isCommunityAdmin: true });
}

/**
 * What the canceller is told. A click needs no answer when it worked (the job's own message says so), and
 * its job id was never typed, so an unknown one means the job is gone.
 */
function answerOf(result: CancelResult, reference: string, via: 'button' | 'command'): string | undefined {
  switch (result.kind) {
    case 'cancelled':
      return via === 'button' ? undefined : communityText.cancel.done(result.job.id, result.refunded);
    case 'not_allowed':
      return communityText.cancel.notAllowed;
    case 'finished':
      return communityText.cancel.finished;
    case 'unknown':
      return via === 'button' ? communityText.cancel.gone : communityText.cancel.unknown(reference);
  }
}

/** The answer to `/imagine cancel <reference>` (a full id, or the short id `/imagine jobs` shows). */
export async function answerCancelCommand(runtime: SlackRuntime, reference: string | undefined, requester: Requester): Promise<string> {
  if (reference === undefined) return communityText.cancel.usage;
  const result = await cancelFor(runtime, reference, requester);
  return answerOf(result, reference, 'command') ?? communityText.cancel.usage;
}

/**
 * Registers the Cancel button. The click is acked at once (nothing is recorded: a cancel repeated by a
 * redelivery finds the job already ended); refusals are answered through the response URL, only to the
 * clicker, and a cancel that worked shows in the status message itself.
 */
export function registerCancelHandler(app: App, runtime: SlackRuntime): void {
  app.action<BlockAction>(actionIds.cancel, async ({ ack, body, action, respond }) => {
    await ack();
    const jobId = stringField(action, 'value') ?? '';
    const requester = slackRequester(body.user.id, body.team?.id, stringField(body.user, 'name'));
    let answer: string | undefined;
    try {
      answer = answerOf(await cancelFor(runtime, jobId, requester), jobId, 'button');
    } catch (error) {
      runtime.logger.error({ err: error, jobId }, 'cancelling a job failed');
      answer = communityText.cancel.failed;
    }
    if (answer !== undefined) await respond({ response_type: 'ephemeral', replace_original: false, text: answer });
  });
}
