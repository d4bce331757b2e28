// The Reroll, Remix and 4K buttons under a result; they find their job by the id in custom_id, even after a restart.
import { MessageFlags, type ButtonInteraction } from 'discord.js';
import type { DiscordContext } from './context.ts';
import { remixModalId, type ButtonAction } from './custom-ids.ts';
import { interactionKey, withIntake } from './intake.ts';
import { requestFromJob } from './job-reuse.ts';
import { text } from './messages.ts';
import { interactionOrigin, requesterOf } from './origin.ts';
import { buildRemixModal } from './remix-modal.ts';
import { startJob } from './start-job.ts';
import { noMentions } from './status-message.ts';

/**
 * Handles a result button. Whoever presses it pays for the new image; Reroll and 4K post a new
 * message with their own progress, so the original result stays as it was. Their request is
 * recorded before the deferral, like /imagine's, so a crash before the job starts is reported.
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
  // Read first (one SQLite lookup) so the recorded request can name the prompt it repeats.
  const job = await context.service.getJob(jobId);
  const dedupeKey = interactionKey(interaction.id);
  const accepted = { dedupeKey, origin: interactionOrigin(interaction, undefined), prompt: job?.request.prompt ?? text.buttons[action] };
  await withIntake(context, accepted, async () => {
    await interaction.deferReply();
    const show = (content: string) => interaction.editReply({ content, components: [], allowedMentions: noMentions });
    if (job === undefined) {
      await show(text.jobGone);
      return;
    }
    const reply = await interaction.fetchReply().catch(() => undefined);
    const request = requestFromJob(job, {
      requester: requesterOf(interaction.user, interaction.guildId),
      origin: interactionOrigin(interaction, reply?.id),
      ...(action === 'upscale' ? { resolution: '4K' as const } : {}),
    });
    await startJob(context, request, dedupeKey, show);
  });
}
