// The Cancel button on a pending message: the requester or a server admin ends the job, everyone else is told privately why not.
import { MessageFlags, type ButtonInteraction } from 'discord.js';
import type { DiscordContext } from './context.ts';
import { text } from './messages.ts';
import { actorOf } from './server-admin.ts';
import { noMentions } from './status-message.ts';

/**
 * Handles Cancel. The press is acknowledged at once (a cancel may wait about a second for another
 * process to let go of the job); the pending message itself is ended by `Delivery.cancelled`, which
 * the core calls. Who may cancel (the requester, Manage Server, ADMIN_USER_IDS) is decided by the core
 * from the actor's rights; a refusal or a job that already ended is told to the presser alone.
 */
export async function handleCancelButton(context: DiscordContext, interaction: ButtonInteraction, jobId: string): Promise<void> {
  await interaction.deferUpdate();
  const tell = (content: string) => interaction.followUp({ content, flags: MessageFlags.Ephemeral, allowedMentions: noMentions });
  let result;
  try {
    result = await context.service.cancel(jobId, actorOf(context, interaction));
  } catch (error) {
    // Answered here: after a deferred update the router's apology would overwrite the pending message itself.
    context.logger.error({ err: error, jobId }, 'could not cancel a job');
    await tell(text.cancelFailed);
    return;
  }
  if (result.kind === 'cancelled') {
    context.logger.info({ jobId, cancelledBy: interaction.user.id }, 'job cancelled from its Cancel button');
    return;
  }
  await tell(result.kind === 'not_allowed' ? text.cancelNotAllowed : result.kind === 'finished' ? text.cancelTooLate : text.cancelUnknown);
}
