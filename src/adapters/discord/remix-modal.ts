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
import { intakePayloadVersion, recordedAttachment, type MessageRemixPayload, type RemixModalPayload } from './intake-payload.ts';
import { interactionKey, withIntake } from './intake.ts';
import { buttonCustomIds, deliveredImageOf, imageShownFor, requestFromJob } from './job-reuse.ts';
import { text } from './messages.ts';
import { deferredReplyOrigin, interactionOrigin, interactionRequester } from './origin.ts';
import { privateRefusal } from './private-refusal.ts';
import { refusedPrivately } from './screening.ts';
import { startJob, type PendingRequest } from './start-job.ts';
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

/** The images on the message a "Remix" command targeted: those remembered when it was used, else fetched again. */
async function targetImages(context: DiscordContext, channelId: string, messageId: string, remembered: AttachmentInfo[] | undefined) {
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

/** What a submitted modal remixes, recorded before the deferral: the job or message, and the images already known. */
function remixPayload(
  context: DiscordContext,
  interaction: ModalSubmitInteraction,
  parsed: Extract<ParsedCustomId, { kind: 'remix-modal' | 'message-remix-modal' }>,
): RemixModalPayload | MessageRemixPayload {
  const requester = interactionRequester(interaction);
  if (parsed.kind === 'remix-modal') {
    const image = imageShownFor(parsed.jobId, interaction.message);
    return {
      version: intakePayloadVersion, kind: 'remix-modal', requester, jobId: parsed.jobId,
      ...(image === undefined ? {} : { image: recordedAttachment(image) }),
    };
  }
  const remembered = context.messageImages.recall(parsed.messageId);
  return {
    version: intakePayloadVersion, kind: 'message-remix', requester, channelId: parsed.channelId, messageId: parsed.messageId,
    ...(remembered === undefined ? {} : { images: remembered.map(recordedAttachment) }),
  };
}

/**
 * Downloads the images to remix and starts the remix with the modal's prompt; ends the pending
 * message with why not when the source is gone. The same live and after a takeover.
 */
export async function finishRemixModal(
  context: DiscordContext,
  payload: RemixModalPayload | MessageRemixPayload,
  pending: PendingRequest,
): Promise<void> {
  let images: AttachmentInfo[];
  let job;
  if (payload.kind === 'remix-modal') {
    job = await context.service.getJob(payload.jobId);
    if (job === undefined) {
      await pending.show(text.jobGone);
      return;
    }
    const image = payload.image ?? (await deliveredImageOf(context, job));
    images = image === undefined ? [] : [image];
  } else {
    const target = await targetImages(context, payload.channelId, payload.messageId, payload.images);
    images = target.images;
    // Remixing one of the bot's own results keeps that job's settings.
    job = target.jobId === undefined ? undefined : await context.service.getJob(target.jobId);
  }
  if (images.length === 0) {
    await pending.show(text.remixSourceGone);
    return;
  }
  const source = payload.kind === 'remix-modal' || job !== undefined ? 'previous-result' : 'attachment';
  const [intake, origin] = await Promise.all([intakeAttachments(images, source, context.intake), pending.origin]);
  if (!intake.ok) {
    await pending.show(intake.reason);
    return;
  }
  const { prompt } = pending;
  const requester = payload.requester;
  const request: GenerationRequest = job
    ? requestFromJob(job, { prompt, references: intake.references, requester, origin })
    : {
        prompt, references: intake.references, resolution: '1K', resolutionFromDefault: true, outputFormat: 'png',
        provider: context.service.defaultProvider, providerFromDefault: true, requester, origin,
      };
  await startJob(context, request, pending.dedupeKey, pending.show, pending.showPrivately);
}

/**
 * Handles a submitted remix modal. The prompt is in the submit itself, so the request is recorded
 * with it (and what it remixes) before the deferral: persist, then acknowledge.
 */
export async function handleRemixModal(
  context: DiscordContext,
  interaction: ModalSubmitInteraction,
  parsed: Extract<ParsedCustomId, { kind: 'remix-modal' | 'message-remix-modal' }>,
): Promise<void> {
  const prompt = interaction.fields.getTextInputValue(remixPromptField);
  const dedupeKey = interactionKey(interaction.id);
  const payload = remixPayload(context, interaction, parsed);
  const origin = interactionOrigin(interaction, undefined);
  await withIntake(context, { dedupeKey, origin, prompt, payload }, async () => {
    if (await refusedPrivately(context, interaction, { prompt, requester: payload.requester, origin })) return;
    await interaction.deferReply();
    await finishRemixModal(context, payload, {
      dedupeKey,
      prompt,
      origin: deferredReplyOrigin(interaction),
      show: (content) => interaction.editReply({ content, components: [], allowedMentions: noMentions }),
      showPrivately: privateRefusal(interaction),
    });
  });
}
