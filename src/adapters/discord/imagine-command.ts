// /imagine: record the request, defer at once, download the attached images, build the request and start the job.
import type { ChatInputCommandInteraction } from 'discord.js';
import type { GenerationRequest, ProviderId, Resolution } from '../../core/request.ts';
import { attachmentInfo, intakeAttachments } from './attachments.ts';
import { imagineOptions } from './command-names.ts';
import type { DiscordContext } from './context.ts';
import { interactionKey, withIntake } from './intake.ts';
import { interactionOrigin, requesterOf } from './origin.ts';
import { startJob } from './start-job.ts';
import { noMentions } from './status-message.ts';

/** The provider that offers `model` when the user named a model but no provider. */
function providerOfModel(context: DiscordContext, model: string): ProviderId | undefined {
  return context.service.providers().find((choice) => choice.models.some((candidate) => candidate.id === model))?.id;
}

/**
 * Handles `/imagine`. The request is recorded before the deferral (persist, then acknowledge), so a
 * crash while the attachments download still gets the "thinking…" reply ended on the next start.
 */
export async function handleImagine(context: DiscordContext, interaction: ChatInputCommandInteraction): Promise<void> {
  const options = interaction.options;
  const prompt = options.getString(imagineOptions.prompt, true);
  const dedupeKey = interactionKey(interaction.id);
  // The reply's message id is not known yet; the interaction token reaches it, and recovery can
  // find it in the channel by the interaction id once the token has expired.
  const accepted = { dedupeKey, origin: interactionOrigin(interaction, undefined), prompt };
  await withIntake(context, accepted, async () => {
    // The first answer must reach Discord within 3 s; everything slow happens after it.
    await interaction.deferReply();
    const attachments = imagineOptions.images.flatMap((name) => {
      const attachment = options.getAttachment(name);
      return attachment ? [attachmentInfo(attachment)] : [];
    });
    const [reply, intake] = await Promise.all([
      interaction.fetchReply().catch(() => undefined),
      intakeAttachments(attachments, 'attachment', context.intake),
    ]);
    const show = (content: string) => interaction.editReply({ content, components: [], allowedMentions: noMentions });
    if (!intake.ok) {
      await show(intake.reason);
      return;
    }
    const model = options.getString(imagineOptions.model) ?? undefined;
    const namedProvider = options.getString(imagineOptions.provider) as ProviderId | null;
    const provider = namedProvider ?? (model === undefined ? undefined : providerOfModel(context, model)) ?? context.service.defaultProvider;
    const aspectRatio = options.getString(imagineOptions.aspect) ?? undefined;
    const resolution = (options.getString(imagineOptions.resolution) ?? '1K') as Resolution;
    const request: GenerationRequest = {
      prompt,
      references: intake.references,
      ...(aspectRatio === undefined ? {} : { aspectRatio }),
      resolution,
      outputFormat: 'png',
      provider,
      ...(model === undefined ? {} : { model }),
      requester: requesterOf(interaction.user, interaction.guildId),
      origin: interactionOrigin(interaction, reply?.id),
    };
    await startJob(context, request, dedupeKey, show);
  });
}
