// Uploads a result image into Slack as an outcome call, and finds the message that carries it (for the buttons that follow it).
import { sleep, type Clock } from '../../core/clock.ts';
import type { JobImage } from '../../core/delivery.ts';
import { BotError } from '../../core/errors.ts';
import { fitImageToLimit } from '../../core/fit-image.ts';
import { extensionFor } from '../../core/image-type.ts';
import type { Logger } from '../../log.ts';
import { slackErrorCode } from './slack-payloads.ts';
import type { SlackPacing } from './slack-pacing.ts';

/** Where and how the image is posted. */
export interface ResultPost {
  channelId: string;
  workspace: string | undefined;
  /** The thread to post into; undefined posts at channel level. */
  threadTs: string | undefined;
  /** The message text next to the image (already escaped). */
  comment: string;
  altText: string;
  jobId: string;
}

/** Slack errors where trying the same upload again cannot help. */
const permanentUploadErrors = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'invalid_auth', 'missing_scope', 'not_authed']);

function uploadedFileId(answer: unknown): string | undefined {
  const completions = (answer as { files?: Array<{ files?: Array<{ id?: string }> }> }).files;
  return completions?.[0]?.files?.[0]?.id;
}

/**
 * Uploads `image` (re-encoded first when larger than `uploadLimit`) with `files.uploadV2`, as an
 * outcome: its two Web API calls wait for their buckets ahead of every progress edit, and a 429 on
 * either is waited out and the upload sent again. Returns the file id; other refusals are thrown as
 * `platform_failed`, retryable unless Slack's answer says trying again cannot help.
 */
export async function uploadResult(pacing: SlackPacing, post: ResultPost, image: JobImage, uploadLimit: number, logger: Logger): Promise<string | undefined> {
  let { data, mimeType } = image;
  let filename = image.filename;
  if (data.byteLength > uploadLimit) {
    const fitted = await fitImageToLimit(data, uploadLimit);
    ({ data, mimeType } = fitted);
    filename = filename.replace(/\.[a-z]+$/i, `.${extensionFor(mimeType)}`);
    logger.info({ jobId: post.jobId, bytes: data.byteLength }, 're-encoded the result to fit the upload limit');
  }
  const content = {
    file: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    filename,
    alt_text: post.altText,
    initial_comment: post.comment,
  };
  try {
    // One upload is two paced calls (the byte upload in between goes to Slack's file host, unlimited).
    return await pacing.outcome(['files.getUploadURLExternal', 'files.completeUploadExternal'], { workspace: post.workspace }, async () => {
      const answer = post.threadTs
        ? await pacing.client.files.uploadV2({ ...content, channel_id: post.channelId, thread_ts: post.threadTs })
        : await pacing.client.files.uploadV2({ ...content, channel_id: post.channelId });
      return uploadedFileId(answer);
    });
  } catch (error) {
    const code = slackErrorCode(error);
    throw new BotError('platform_failed', `Slack did not take the upload${code ? ` (${code})` : ''}`, {
      cause: error,
      retryable: code === undefined || !permanentUploadErrors.has(code),
    });
  }
}

/** `files.info` tries while Slack finishes sharing an upload (it shares asynchronously). */
const shareLookups = 4;

/** The ts of the message that carries `fileId` in `channelId`, from `files.info` shares; undefined when Slack does not tell. */
export async function sharedMessageTs(pacing: SlackPacing, where: { fileId: string; channelId: string; workspace: string | undefined }, clock: Clock): Promise<string | undefined> {
  for (let attempt = 1; attempt <= shareLookups; attempt += 1) {
    const answer = await pacing
      .outcome('files.info', { workspace: where.workspace }, () => pacing.client.files.info({ file: where.fileId }))
      .catch(() => undefined);
    const shares = (answer?.file as { shares?: Record<string, Record<string, Array<{ ts?: string }>>> } | undefined)?.shares;
    const ts = shares?.public?.[where.channelId]?.[0]?.ts ?? shares?.private?.[where.channelId]?.[0]?.ts;
    if (ts) return ts;
    await sleep(clock, 250 * attempt);
  }
  return undefined;
}
