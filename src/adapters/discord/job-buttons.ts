// The Reroll, Remix and 4K buttons under a result; they find their job by the id in custom_id, even after a restart.
import { MessageFlags, type ButtonInteraction } from 'discord.js';
import type { JobView } from '../../core/imagine-service.ts';
import type { DiscordContext } from './context.ts';
import { remixModalId, type ButtonAction } from './custom-ids.ts';
import { intakePayloadVersion, type JobButtonPayload } from './intake-payload.ts';
import { interactionKey, withIntake } from './intake.ts';
import { requestFromJob } from './job-reuse.ts';
import { text } from './messages.ts';
import { deferredReplyOrigin, interactionOrigin, interactionRequester } from './origin.ts';
import { privateRefusal } from './private-refusal.ts';
import { buildRemixModal } from './remix-modal.ts';
import { refusedPrivately } from './screening.ts';
import { startJob, type PendingRequest } from './start-job.ts';
import { noMentions } from './status-message.ts';

/**
 * Repeats `job` for Reroll (same settings) or 4K (same settings at 4K), paid by whoever pressed the
 * button. The same for the live press and for an intake taken over after a crash.
 */
export async function finishJobButton(
  context: DiscordContext,
  payload: JobButtonPayload,
  job: JobView | undefined,
  pending: PendingRequest,
): Promise<void> {
  if (job === undefined) {
    await pending.show(text.jobGone);
    return;
  }
  const request = requestFromJob(job, {
    requester: payload.requester,
    origin: await pending.origin,
    ...(payload.action === 'upscale' ? { resolution: '4K' as const } : {}),
  });
  await startJob(context, request, pending.dedupeKey, pending.show, pending.showPrivately);
}

/**
 * Handles a result button. Whoever presses it pays for the new image; Reroll and 4K post a new
 * message with their own progress, so the original result stays as it was. Their request is
 * recorded before the deferral, like /imagine's, so a crash before the job starts is finished later.
 */
export async function handleJobButton(context: DiscordContext, interaction: ButtonInteraction, action: ButtonAction, jobId: string): Promise<void> {
  if (action === 'remix') {
    // A modal must be the first answer, so the job is read before anything else is sent.
    const job = await context.service.getJob(jobId);
    if (job === undefined) {
      await interaction.reply({ content: text.jobGone, flags: MessageFlags.Ephemeral, allowedMentions: noMentions });
      return;
    }
    await interaction.showModal(buildRemixModal(remixModalId(jobId), job.request.prompt));
    return;
  }
  // Read first (one lookup) so the recorded request can name the prompt it repeats.
  const job = await context.service.getJob(jobId);
  const dedupeKey = interactionKey(interaction.id);
  const prompt = job?.request.prompt ?? text.buttons[action];
  const payload: JobButtonPayload = {
    version: intakePayloadVersion,
    kind: 'job-button',
    requester: interactionRequester(interaction),
    action,
    jobId,
  };
  const origin = interactionOrigin(interaction, undefined);
  await withIntake(context, { dedupeKey, origin, prompt, payload }, async () => {
    // The repeated prompt meets today's settings (a term blocked since, a channel no longer allowed) before anything is posted.
    if (job !== undefined && (await refusedPrivately(context, interaction, { prompt, requester: payload.requester, origin }))) return;
    await interaction.deferReply();
    await finishJobButton(context, payload, job, {
      dedupeKey,
      prompt,
      origin: deferredReplyOrigin(interaction),
      show: (content) => interaction.editReply({ content, components: [], allowedMentions: noMentions }),
      showPrivately: privateRefusal(interaction),
    });
  });
}
