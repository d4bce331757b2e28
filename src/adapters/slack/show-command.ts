// `/imagine show <id>`: posts a finished job's image again where the command was typed, from the copy the store kept, with its buttons.
import { channelAllowed } from '../../core/community-settings.ts';
import type { JobImage } from '../../core/delivery.ts';
import { extensionFor } from '../../core/image-type.ts';
import type { Requester } from '../../core/request.ts';
import { buttonRows, statusMessage } from './blocks.ts';
import { communityText } from './community-messages.ts';
import { slackText } from './messages.ts';
import { uploadResult } from './result-upload.ts';
import { workspaceKey, type SlackRuntime } from './runtime.ts';
import { slackErrorCode } from './slack-payloads.ts';

/** Slack errors meaning the bot cannot post in the channel (not invited, archived, gone). */
const cannotPostErrors = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

/** Who asks to show what, and where. */
export interface ShowRequest {
  requester: Requester;
  /** Where the command was typed: the image is posted there. */
  channelId: string;
  /** The job id, or the short id `/imagine jobs` shows. */
  reference: string | undefined;
}

/**
 * Shows the job `request.reference` names: a message at channel level carrying the job's Reroll, Remix
 * and 4K buttons (they act in this new thread), with the image uploaded into its thread, as a delivered
 * result looks. The bytes are the store's copy, so an expired provider URL does not matter. Returns the
 * text to tell only the asker when nothing was posted (unknown job, no image, channel not allowed or
 * closed to the bot), undefined when the image is up.
 */
export async function showJobHere(runtime: SlackRuntime, request: ShowRequest): Promise<string | undefined> {
  const { service, pacing, logger } = runtime;
  const { requester, channelId, reference } = request;
  if (reference === undefined) return communityText.show.usage;
  const found = await service.showJob(reference, requester);
  if (found.kind === 'unknown') return communityText.show.unknown(reference);
  if (found.kind === 'no_image') return communityText.show.noImage(found.job.state);
  // Posting here is public, so the workspace's allowed channels apply as they do to a new request.
  if (requester.communityId) {
    const settings = await service.communitySettings(workspaceKey(requester.communityId));
    if (!channelAllowed(settings, channelId)) return communityText.channelNotAllowed(settings.allowedChannels);
  }
  const { job, image, canUpscale } = found;
  const shownBy = (await runtime.users.lookUp(requester.userId, requester.communityId))?.name ?? requester.displayName;
  const body = statusMessage(
    communityText.show.line({ shownBy, prompt: job.summary.prompt, aspectRatio: job.summary.aspectRatio, resolution: job.summary.resolution }),
    { buttons: { jobId: job.id, labels: slackText.buttons, canUpscale }, row: buttonRows.shown },
  );
  const place = { workspace: requester.communityId, channel: channelId };
  let parentTs: string;
  try {
    const posted = await pacing.outcome('chat.postMessage', place, () =>
      pacing.client.chat.postMessage({ channel: channelId, text: body.text, blocks: body.blocks, unfurl_links: false, unfurl_media: false }),
    );
    parentTs = posted.ts as string;
  } catch (error) {
    const code = slackErrorCode(error);
    logger.warn({ err: error, channel: channelId, code }, 'could not post a shown image');
    return code !== undefined && cannotPostErrors.has(code) ? slackText.notInChannel : slackText.startFailed;
  }
  const file: JobImage = { data: image.data, mimeType: image.mimeType, filename: `nano-imagine-${job.id}.${extensionFor(image.mimeType)}` };
  try {
    await uploadResult(
      pacing,
      { channelId, workspace: requester.communityId, threadTs: parentTs, comment: communityText.show.comment(job.id), altText: slackText.altText(job.summary.prompt), jobId: job.id },
      file,
      runtime.uploadLimitBytes,
      logger,
    );
  } catch (error) {
    logger.warn({ err: error, jobId: job.id }, 'could not upload a shown image');
    // The message without its image would only confuse: it goes, and the asker hears why.
    await pacing
      .outcome('chat.delete', { workspace: requester.communityId }, () => pacing.client.chat.delete({ channel: channelId, ts: parentTs }))
      .catch((deleteError: unknown) => logger.warn({ err: deleteError }, 'could not remove the message of a failed show'));
    return slackText.failure('platform_failed', '');
  }
  return undefined;
}
