// The Reroll and 4K buttons: new jobs from a stored one (found by the id in the button, so they work after a restart).
import type { App, BlockAction } from '@slack/bolt';
import { toBotError } from '../../core/errors.ts';
import type { JobView } from '../../core/imagine-service.ts';
import type { Reference } from '../../core/request.ts';
import { actionIds } from './blocks.ts';
import { DeadlineAck } from './deadline-ack.ts';
import { fetchPreviousResult } from './file-intake.ts';
import { settingsOf, type JobSettings } from './job-settings.ts';
import { slackText, type JobKind } from './messages.ts';
import { slackRequester, type SlackRuntime } from './runtime.ts';
import { stringField } from './slack-payloads.ts';

interface Variant {
  kind: JobKind;
  settings: (job: JobView) => JobSettings;
  references: (job: JobView, runtime: SlackRuntime) => Promise<Reference[]>;
}

const variants: Record<typeof actionIds.reroll | typeof actionIds.upscale, Variant> = {
  // Same prompt, settings and reference images: another take.
  [actionIds.reroll]: {
    kind: 'reroll',
    settings: settingsOf,
    references: async (job) => job.request.references,
  },
  // The chosen image as the only reference, same prompt, at 4K: a bigger version of that picture
  // rather than a new one (its own references are already reflected in it).
  [actionIds.upscale]: {
    kind: 'upscale',
    settings: (job) => ({ ...settingsOf(job), resolution: '4K' }),
    references: async (job, runtime) => [await fetchPreviousResult(job, runtime.intake)],
  },
};

/** Registers Reroll (also "Try again" on failures) and 4K. The ack waits for the job to be stored, within the deadline. */
export function registerActionHandlers(app: App, runtime: SlackRuntime): void {
  for (const [actionId, variant] of Object.entries(variants)) {
    app.action<BlockAction>(actionId, async ({ ack, body, action, respond }) => {
      const reply = new DeadlineAck<void>(() => ack(), runtime.ackDeadlineMs);
      const tell = async (text: string) => {
        await reply.send();
        await respond({ response_type: 'ephemeral', replace_original: false, text });
      };
      const job = await runtime.service.getJob(stringField(action, 'value') ?? '');
      if (!job?.origin.channelId) {
        await tell(slackText.jobGone);
        return;
      }
      const dedupeKey = `slack:action:${body.trigger_id}`;
      if (!runtime.recent.claim(dedupeKey)) {
        await reply.send();
        return;
      }
      const requester = slackRequester(body.user.id, body.team?.id ?? job.origin.communityId);
      const settings = variant.settings(job);
      const refusal = await runtime.launcher.checkCredits(requester, settings);
      if (refusal) {
        await tell(refusal);
        return;
      }
      let references: Reference[];
      try {
        references = await variant.references(job, runtime);
      } catch (error) {
        const failure = toBotError(error);
        await tell(slackText.refusal(failure.code, failure.message));
        return;
      }
      const outcome = await runtime.launcher.launch({
        kind: variant.kind,
        requester,
        channelId: job.origin.channelId,
        threadTs: job.origin.threadId ?? job.origin.messageId,
        prompt: job.request.prompt,
        references,
        settings,
        dedupeKey,
      });
      if (outcome.kind === 'refused') await tell(outcome.text);
      else await reply.send();
    });
  }
}
