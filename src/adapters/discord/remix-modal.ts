// The Remix modal (prompt input) and its submit: from a result's Remix button or the "Remix" message command.
import {
  ActionRowBuilder,
  ModalBuilder,
  TextInputBuilder,
  TextInputStyle,
  type ModalSubmitInteraction,
} from 'discord.js';
import type { GenerationRequest } from '../../core/request.ts';
import { attachmentInfo, intakeAttachments, looksLikeImage, type AttachmentInfo } from './attachments.ts';
import type { DiscordContext } from './context.ts';
import { jobIdOfComponents, remixPromptField, type ParsedCustomId } from './custom-ids.ts';
import { interactionKey, withIntake } from './intake.ts';
import { buttonCustomIds, requestFromJob, resultImageOf } from './job-reuse.ts';
import { text } from './messages.ts';
import { interactionOrigin, requesterOf } from './origin.ts';
import { startJob } from './start-job.ts';
import { noMentions } from './status-message.ts';

/** Discord's limit on a text input's value. */
const maxPromptInput = 4000;

/** The modal asking for a remix prompt, optionally pre-filled with the previous one to edit. */
export function buildRemixModal(customId: string, previousPrompt?: string): ModalBuilder {
  const input = new TextInputBuilder()
    .setCustomId(remixPromptField)
    .setLabel(text.remixPromptLabel)
    .setStyle(TextInputStyle.Paragraph)
    .setPlaceholder(text.remixPromptPlaceholder)
    .setRequired(true)
    .setMaxLength(maxPromptInput);
  if (previousPrompt) input.setValue(previousPrompt.slice(0, maxPromptInput));
  return new ModalBuilder()
    .setCustomId(customId)
    .setTitle(text.remixModalTitle)
    .addComponents(new ActionRowBuilder<TextInputBuilder>().addComponents(input));
}

/** The images on the message a "Remix" command targeted: remembered, else fetched again. */
async function targetImages(context: DiscordContext, channelId: string, messageId: string) {
  const remembered = context.messageImages.recall(messageId);
  try {
    const channel = await context.client.channels.fetch(channelId);
    if (!channel?.isTextBased()) return { images: remembered ?? [], jobId: undefined };
    const message = await channel.messages.fetch(messageId);
    const images = remembered ?? [...message.attachments.values()].map(attachmentInfo).filter(looksLikeImage);
    return { images, jobId: message.author.id === context.client.user?.id ? jobIdOfComponents(buttonCustomIds(message)) : undefined };
  } catch {
    return { images: remembered ?? [], jobId: undefined };
  }
}

/**
 * Handles a submitted remix modal. The prompt is in the submit itself, so the request is recorded
 * with it before the deferral (persist, then acknowledge).
 */
export async function handleRemixModal(
  context: DiscordContext,
  interaction: ModalSubmitInteraction,
  parsed: Extract<ParsedCustomId, { kind: 'remix-modal' | 'message-remix-modal' }>,
): Promise<void> {
  const prompt = interaction.fields.getTextInputValue(remixPromptField);
  const dedupeKey = interactionKey(interaction.id);
  await withIntake(context, { dedupeKey, origin: interactionOrigin(interaction, undefined), prompt }, async () => {
    await interaction.deferReply();
    const show = (content: string) => interaction.editReply({ content, components: [], allowedMentions: noMentions });
    const replyPromise = interaction.fetchReply().catch(() => undefined);
    let images: AttachmentInfo[];
    let job;
    if (parsed.kind === 'remix-modal') {
      job = await context.service.getJob(parsed.jobId);
      if (job === undefined) {
        await show(text.jobGone);
        return;
      }
      const image = await resultImageOf(context, job, interaction.message);
      images = image === undefined ? [] : [image];
    } else {
      const target = await targetImages(context, parsed.channelId, parsed.messageId);
      images = target.images;
      // Remixing one of the bot's own results keeps that job's settings.
      job = target.jobId === undefined ? undefined : await context.service.getJob(target.jobId);
    }
    if (images.length === 0) {
      await show(text.remixSourceGone);
      return;
    }
    const source = parsed.kind === 'remix-modal' || job !== undefined ? 'previous-result' : 'attachment';
    const [reply, intake] = await Promise.all([replyPromise, intakeAttachments(images, source, context.intake)]);
    if (!intake.ok) {
      await show(intake.reason);
      return;
    }
    const requester = requesterOf(interaction.user, interaction.guildId);
    const origin = interactionOrigin(interaction, reply?.id);
    const request: GenerationRequest = job
      ? requestFromJob(job, { prompt, references: intake.references, requester, origin })
      : { prompt, references: intake.references, resolution: '1K', outputFormat: 'png', provider: context.service.defaultProvider, requester, origin };
    await startJob(context, request, dedupeKey, show);
  });
}
