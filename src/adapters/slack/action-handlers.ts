// The Reroll and 4K buttons: new jobs from a stored one (found by the id in the button, so they work after a restart).
import type { App, BlockAction } from '@slack/bolt';
import { toBotError } from '../../core/errors.ts';
import type { JobView } from '../../core/imagine-service.ts';
import type { Reference } from '../../core/request.ts';
import { actionIds, buttonRows } from './blocks.ts';
import { DeadlineAck } from './deadline-ack.ts';
import { fetchPreviousResult } from './file-intake.ts';
import { intakePayloadVersion, type JobButtonPayload } from './intake-payload.ts';
import { settingsOf, type JobSettings } from './job-settings.ts';
import { slackText, type JobKind } from './messages.ts';
import { claimRequest, runRequest, type RequestContext } from './request-intake.ts';
import { slackRequester, type SlackRuntime } from './runtime.ts';
import { clickedThreadOf, stringField } from './slack-payloads.ts';

interface Variant {
  kind: JobKind;
  settings: (job: JobView) => JobSettings;
  references: (job: JobView, runtime: SlackRuntime) => Promise<Reference[]>;
}

const variants: Record<JobButtonPayload['action'], Variant> = {
  // Same prompt, settings and reference images: another take.
  reroll: {
    kind: 'reroll',
    settings: settingsOf,
    references: async (job) => job.request.references,
  },
  // The chosen image as the only reference, same prompt, at 4K: a bigger version of that picture
  // rather than a new one (its own references are already reflected in it).
  upscale: {
    kind: 'upscale',
    settings: (job) => ({ ...settingsOf(job), resolution: '4K' }),
    references: async (job, runtime) => [await fetchPreviousResult(job, runtime.intake)],
  },
};

const buttonActions: Record<typeof actionIds.reroll | typeof actionIds.upscale, JobButtonPayload['action']> = {
  [actionIds.reroll]: 'reroll',
  [actionIds.upscale]: 'upscale',
};

/**
 * Where a job started by a button on `job`'s message goes: the job's own thread, or, for buttons under an
 * image `/imagine show` posted again, the thread they were clicked in (likely another channel).
 */
export function placeOfClick(job: JobView | undefined, body: unknown, action: unknown): { channelId: string | undefined; threadTs: string | undefined } {
  if (stringField(action, 'block_id')?.startsWith(buttonRows.shown) === true) {
    return { channelId: stringField((body as { channel?: unknown }).channel, 'id'), threadTs: clickedThreadOf(body) };
  }
  return { channelId: job?.origin.channelId, threadTs: job?.origin.threadId ?? job?.origin.messageId ?? clickedThreadOf(body) };
}

/** Starts the job of a recorded Reroll or 4K click (live, or after a takeover); returns a refusal text when it did not start. */
export async function startJobButton(runtime: SlackRuntime, payload: JobButtonPayload, context: RequestContext): Promise<string | undefined> {
  const job = await runtime.service.getJob(payload.jobId);
  if (!job) return slackText.jobGone;
  const variant = variants[payload.action];
  const settings = variant.settings(job);
  // Before fetching the earlier result: the prompt may be blocked, or the channel closed, since the job ran.
  const screened = await runtime.launcher.screen({ requester: payload.requester, channelId: payload.channelId, threadTs: payload.threadTs, prompt: job.request.prompt });
  if (screened !== undefined) return screened;
  const refusal = await runtime.launcher.checkCredits(payload.requester, settings);
  if (refusal) return refusal;
  let references: Reference[];
  try {
    references = await variant.references(job, runtime);
  } catch (error) {
    const failure = toBotError(error);
    return slackText.refusal(failure.code, failure.message);
  }
  const outcome = await runtime.launcher.launch({
    kind: variant.kind,
    requester: payload.requester,
    channelId: payload.channelId,
    threadTs: payload.threadTs,
    prompt: job.request.prompt,
    references,
    settings,
    screened: true,
    dedupeKey: context.dedupeKey,
    ...(context.statusTs ? { statusTs: context.statusTs } : {}),
  });
  return outcome.kind === 'refused' ? outcome.text : undefined;
}

/** Registers Reroll (also "Try again" on failures) and 4K. The click is recorded before the ack, which waits for the job within the deadline. */
export function registerActionHandlers(app: App, runtime: SlackRuntime): void {
  for (const [actionId, buttonAction] of Object.entries(buttonActions)) {
    app.action<BlockAction>(actionId, async ({ ack, body, action, respond }) => {
      const reply = new DeadlineAck<void>(() => ack(), runtime.ackDeadlineMs);
      const tell = async (text: string) => {
        await reply.send();
        await respond({ response_type: 'ephemeral', replace_original: false, text });
      };
      const job = await runtime.service.getJob(stringField(action, 'value') ?? '');
      const { channelId, threadTs } = placeOfClick(job, body, action);
      if (!job || !channelId || !threadTs) {
        await tell(slackText.jobGone);
        return;
      }
      const responseUrl = stringField(body, 'response_url');
      const payload: JobButtonPayload = {
        version: intakePayloadVersion,
        kind: 'job-button',
        requester: slackRequester(body.user.id, body.team?.id ?? job.origin.communityId),
        action: buttonAction,
        jobId: job.id,
        channelId,
        threadTs,
        ...(responseUrl ? { responseUrl } : {}),
      };
      const dedupeKey = `slack:action:${body.trigger_id}`;
      if (!(await claimRequest(runtime, { dedupeKey, prompt: job.request.prompt, payload }))) {
        await reply.send();
        return;
      }
      await runRequest(runtime, { dedupeKey }, { answer: tell }, (context) => startJobButton(runtime, payload, context));
      await reply.send();
    });
  }
}
