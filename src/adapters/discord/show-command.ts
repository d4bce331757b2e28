// /show job:<id>: posts a finished job's image again in this channel, from the copy the store kept, with its Reroll / Remix / 4K buttons.
import type { ChatInputCommandInteraction } from 'discord.js';
import type { JobImage } from '../../core/delivery.ts';
import type { JobView, ShowResult } from '../../core/imagine-service.ts';
import { extensionFor } from '../../core/image-type.ts';
import { showOptions } from './command-names.ts';
import type { DiscordContext } from './context.ts';
import { text } from './messages.ts';
import { attachmentLimitOf, interactionOrigin, interactionRequester } from './origin.ts';
import { replyPrivately } from './private-refusal.ts';
import { describeSettings, escapedInlinePrompt, resultButtons } from './render.ts';
import { refusedPrivately } from './screening.ts';
import { noMentions } from './status-message.ts';
import { uploadWithinLimit } from './upload-fit.ts';

/** The caption keeps the prompt short: the image is the point, and the original message has it whole. */
const maxCaptionPrompt = 300;

/** Why a job has no image to show, in the asker's words. */
function noImageText(job: JobView): string {
  if (job.state === 'failed') return job.error?.code === 'cancelled' ? text.showCancelled : text.showFailed;
  if (job.state === 'delivered') return text.showNotKept;
  return text.showInProgress;
}

/**
 * The caption: the prompt escaped and on one line, the job id (the Remix button and reply-to-remix
 * read it to find the job) and who showed it again. Sent with mentions off, so it pings nobody.
 */
function caption(context: DiscordContext, job: JobView, shownBy: string): string {
  return text.shownAgain({
    prompt: escapedInlinePrompt(job.request.prompt, maxCaptionPrompt),
    jobId: job.id,
    settings: describeSettings(job.summary, context.names),
    unixSeconds: Math.floor(job.createdAt / 1000),
    userId: shownBy,
  });
}

/**
 * Handles `/show`. The job is looked up before the first answer (one store read), so "not found" and
 * "no image" are told to the asker alone; an image is posted publicly, after a public deferral, since
 * uploading it may take longer than Discord's 3 s.
 */
export async function handleShow(context: DiscordContext, interaction: ChatInputCommandInteraction): Promise<void> {
  const reference = interaction.options.getString(showOptions.job, true);
  const requester = interactionRequester(interaction);
  const found: ShowResult = await context.service.showJob(reference, requester);
  if (found.kind === 'unknown') {
    await replyPrivately(interaction, text.showUnknown);
    return;
  }
  if (found.kind === 'no_image') {
    await replyPrivately(interaction, noImageText(found.job));
    return;
  }
  const { job, image: kept, canUpscale } = found;
  // Posting a prompt again is posting it: the channel and today's blocked terms apply as to a new request.
  const origin = interactionOrigin(interaction, undefined);
  if (await refusedPrivately(context, interaction, { prompt: job.request.prompt, requester, origin })) return;
  await interaction.deferReply();
  const image: JobImage = { data: kept.data, mimeType: kept.mimeType, filename: `nano-imagine-${job.id}.${extensionFor(kept.mimeType)}` };
  const content = caption(context, job, interaction.user.id);
  await uploadWithinLimit(image, attachmentLimitOf(origin), (file) =>
    interaction.editReply({ content, components: [resultButtons(job.id, canUpscale)], files: [file], allowedMentions: noMentions }));
}
