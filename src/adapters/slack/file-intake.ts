// Downloads images users attach in Slack (and earlier results) with the bot token, from Slack's file host only.
import type { WebClient } from '@slack/web-api';
import { downloadImage } from '../../core/download-image.ts';
import { BotError, invalidRequest, isBotError } from '../../core/errors.ts';
import type { JobView } from '../../core/imagine-service.ts';
import type { Reference, ReferenceSource } from '../../core/request.ts';
import { isTrustedAttachmentUrl } from '../../core/trusted-hosts.ts';
import { slackText } from './messages.ts';
import { readFiles, slackErrorCode, type SlackFile } from './slack-payloads.ts';

/** How user files are fetched: with the bot token, from trusted hosts only. */
export interface FileIntake {
  client: WebClient;
  botToken: string;
  /** Hosts user files may be downloaded from (Slack's, plus the host of SLACK_API_URL). */
  trustedHosts: readonly string[];
  /** Per-file download deadline (default 30 s). */
  timeoutMs?: number;
}

/** Most files taken from one message or modal; Slack itself allows 10 per message. */
const maxFilesPerRequest = 10;

/** Fills in the download URL of a file that arrived without one (shared from elsewhere, modal inputs). */
async function withDownloadUrl(file: SlackFile, intake: FileIntake): Promise<SlackFile> {
  if (file.urlPrivateDownload) return file;
  try {
    const answer = await intake.client.files.info({ file: file.id });
    const [described] = readFiles([answer.file]);
    // Files known only by id (shortcut sources) take their real name from files.info, for messages.
    if (described?.urlPrivateDownload) return { ...described, name: file.name === file.id ? described.name : file.name };
  } catch (error) {
    if (slackErrorCode(error) !== 'file_not_found') throw new BotError('download_failed', slackText.fileDownloadFailed(file.name, 'Slack did not describe it'), { cause: error });
  }
  throw new BotError('download_failed', slackText.fileDownloadFailed(file.name, 'it is no longer available'), { retryable: false });
}

/** Turns what `downloadImage` reports into a message for the person who attached the file. */
function explainDownloadError(error: unknown, name: string): BotError {
  if (!isBotError(error) || error.code !== 'download_failed') return isBotError(error) ? error : new BotError('download_failed', slackText.fileDownloadFailed(name, 'network error'), { cause: error });
  // Without files:read Slack answers its sign-in page (HTML, status 200) instead of the bytes.
  if (/HTML page/i.test(error.message)) return new BotError('download_failed', slackText.missingFilesRead, { retryable: false, cause: error });
  const notImage = /not an image \((.+)\)$/.exec(error.message);
  if (notImage?.[1]) return invalidRequest(slackText.notAnImage(name, notImage[1]));
  const reason = error.message.replace(/^Could not download the image from [^:]+: /, '');
  return new BotError('download_failed', slackText.fileDownloadFailed(name, reason), { retryable: error.retryable, cause: error });
}

/** Downloads one Slack file and checks it is an image. */
export async function downloadSlackFile(file: SlackFile, intake: FileIntake, source: ReferenceSource = 'attachment'): Promise<Reference> {
  if (file.mimetype !== undefined && !file.mimetype.startsWith('image/')) {
    throw invalidRequest(slackText.notAnImage(file.name, `a file of type ${file.mimetype}`));
  }
  const described = await withDownloadUrl(file, intake);
  const url = described.urlPrivateDownload as string;
  if (!isTrustedAttachmentUrl(url, intake.trustedHosts)) throw invalidRequest(slackText.untrustedFile(file.name));
  try {
    const image = await downloadImage(url, {
      headers: { authorization: `Bearer ${intake.botToken}` },
      timeoutMs: intake.timeoutMs ?? 30_000,
    });
    return { data: image.data, filename: file.name, source };
  } catch (error) {
    throw explainDownloadError(error, file.name);
  }
}

/** Downloads every file, in order; the first problem is reported (nothing is charged before that). */
export async function downloadSlackFiles(files: SlackFile[], intake: FileIntake): Promise<Reference[]> {
  if (files.length > maxFilesPerRequest) {
    throw invalidRequest(`Attach at most ${maxFilesPerRequest} images at once; this message has ${files.length}.`);
  }
  const references: Reference[] = [];
  for (const file of files) references.push(await downloadSlackFile(file, intake));
  return references;
}

/** The image a delivered job posted, fetched back from Slack (its file id is the job's delivery receipt). */
export async function fetchPreviousResult(job: JobView, intake: FileIntake): Promise<Reference> {
  const fileId = job.deliveredMessageId;
  if (job.state !== 'delivered' || !fileId?.startsWith('F')) throw invalidRequest(slackText.previousResultGone);
  try {
    return await downloadSlackFile({ id: fileId, name: `nano-imagine-${job.id}`, mimetype: undefined, urlPrivateDownload: undefined }, intake, 'previous-result');
  } catch (error) {
    if (isBotError(error) && error.message === slackText.missingFilesRead) throw error;
    if (isBotError(error) && !error.retryable) throw invalidRequest(slackText.previousResultGone);
    throw error;
  }
}
