// /imagine: record the request with everything needed to finish it, defer at once, then download the attached images and start the job.
import type { ChatInputCommandInteraction } from 'discord.js';
import type { GenerationRequest, ProviderId, Resolution } from '../../core/request.ts';
import { attachmentInfo, intakeAttachments } from './attachments.ts';
import { imagineOptions } from './command-names.ts';
import type { DiscordContext } from './context.ts';
import { intakePayloadVersion, recordedAttachment, type ImaginePayload } from './intake-payload.ts';
import { interactionKey, withIntake } from './intake.ts';
import { deferredReplyOrigin, interactionOrigin, interactionRequester } from './origin.ts';
import { privateRefusal } from './private-refusal.ts';
import { refusedPrivately } from './screening.ts';
import { startJob, type PendingRequest } from './start-job.ts';
import { noMentions } from './status-message.ts';

/** The provider that offers `model` when the user named a model but no provider. */
function providerOfModel(context: DiscordContext, model: string): ProviderId | undefined {
  return context.service.providers().find((choice) => choice.models.some((candidate) => candidate.id === model))?.id;
}

/** Everything the command carries except the prompt (kept by the intake itself): options as given, attachments by URL. */
function imaginePayload(interaction: ChatInputCommandInteraction): ImaginePayload {
  const options = interaction.options;
  const attachments = imagineOptions.images.flatMap((name) => {
    const attachment = options.getAttachment(name);
    return attachment ? [recordedAttachment(attachmentInfo(attachment))] : [];
  });
  const optional = (name: string) => options.getString(name) ?? undefined;
  const aspectRatio = optional(imagineOptions.aspect);
  const resolution = optional(imagineOptions.resolution);
  const provider = optional(imagineOptions.provider);
  const model = optional(imagineOptions.model);
  return {
    version: intakePayloadVersion,
    kind: 'imagine',
    requester: interactionRequester(interaction),
    attachments,
    ...(aspectRatio === undefined ? {} : { aspectRatio }),
    ...(resolution === undefined ? {} : { resolution }),
    ...(provider === undefined ? {} : { provider }),
    ...(model === undefined ? {} : { model }),
  };
}

/**
 * Downloads the attachments, builds the request and starts the job; a refusal ends the pending
 * message instead. The same for the live command and for an intake taken over after a crash.
 */
export async function finishImagine(context: DiscordContext, payload: ImaginePayload, pending: PendingRequest): Promise<void> {
  const [intake, origin] = await Promise.all([intakeAttachments(payload.attachments, 'attachment', context.intake), pending.origin]);
  if (!intake.ok) {
    await pending.show(intake.reason);
    return;
  }
  const { model, aspectRatio } = payload;
  // Unknown names are left to the core, which refuses them with the choices it has.
  const namedProvider = payload.provider as ProviderId | undefined;
  const provider = namedProvider ?? (model === undefined ? undefined : providerOfModel(context, model)) ?? context.service.defaultProvider;
  // Only the bot's own choice may fail over; a provider the user named (or picked through a model) never moves.
  const fromDefault = namedProvider === undefined && provider === context.service.defaultProvider;
  const request: GenerationRequest = {
    prompt: pending.prompt,
    references: intake.references,
    ...(aspectRatio === undefined ? {} : { aspectRatio }),
    resolution: (payload.resolution ?? '1K') as Resolution,
    // A resolution the user did not pick may become the server's default one.
    ...(payload.resolution === undefined ? { resolutionFromDefault: true } : {}),
    outputFormat: 'png',
    provider,
    ...(fromDefault ? { providerFromDefault: true } : {}),
    ...(model === undefined ? {} : { model }),
    requester: payload.requester,
    origin,
  };
  await startJob(context, request, pending.dedupeKey, pending.show, pending.showPrivately);
}

/**
 * Handles `/imagine`. The request is recorded before the deferral (persist, then acknowledge) with
 * its options and attachment URLs, so whoever takes it over after a crash can still finish it.
 */
export async function handleImagine(context: DiscordContext, interaction: ChatInputCommandInteraction): Promise<void> {
  const prompt = interaction.options.getString(imagineOptions.prompt, true);
  const dedupeKey = interactionKey(interaction.id);
  const payload = imaginePayload(interaction);
  // The reply's message id is not known yet; the interaction token reaches it, and recovery can
  // find it in the channel by the interaction id once the token has expired.
  const origin = interactionOrigin(interaction, undefined);
  await withIntake(context, { dedupeKey, origin, prompt, payload }, async () => {
    // Screened before the public deferral, so a refusal is seen by the requester alone and nothing shows the prompt.
    if (await refusedPrivately(context, interaction, { prompt, requester: payload.requester, origin })) return;
    // The first answer must reach Discord within 3 s; everything slow happens after it.
    await interaction.deferReply();
    await finishImagine(context, payload, {
      dedupeKey,
      prompt,
      origin: deferredReplyOrigin(interaction),
      show: (content) => interaction.editReply({ content, components: [], allowedMentions: noMentions }),
      showPrivately: privateRefusal(interaction),
    });
  });
}
