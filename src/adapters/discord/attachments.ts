// Attachment intake: downloads users' images from Discord's own hosts only, as references for a job.
import type { Attachment } from 'discord.js';
import type { Dispatcher } from 'undici';
import { downloadImage } from '../../core/download-image.ts';
import { isBotError } from '../../core/errors.ts';
import type { Reference, ReferenceSource } from '../../core/request.ts';
import { isTrustedAttachmentUrl } from '../../core/trusted-hosts.ts';
import { formatBytes } from '../../core/format.ts';
import { text } from './messages.ts';

/** The parts of a Discord attachment intake needs (also what a cached message keeps). */
export interface AttachmentInfo {
  /** Discord's attachment id (kept with an intake, to name the file in logs). */
  id?: string;
  name: string;
  url: string;
  contentType: string | null;
  size: number;
}

export interface IntakeOptions {
  /** Hosts attachments may come from (Discord's CDN plus the configured API host). */
  trustedHosts: readonly string[];
  /** Larger attachments are refused before downloading (no provider accepts them anyway). */
  maxBytes: number;
  timeoutMs: number;
  dispatcher?: Dispatcher;
}

export type IntakeOutcome = { ok: true; references: Reference[] } | { ok: false; reason: string };

const acceptedTypes = new Set(['image/png', 'image/jpeg', 'image/jpg', 'image/webp']);

/** Plain data from a discord.js attachment. */
export function attachmentInfo(attachment: Attachment): AttachmentInfo {
  return { id: attachment.id, name: attachment.name, url: attachment.url, contentType: attachment.contentType, size: attachment.size };
}

/** True when Discord says (by type or, without one, by name) that this is an image we can use. */
export function looksLikeImage(attachment: AttachmentInfo): boolean {
  if (attachment.contentType) return acceptedTypes.has(attachment.contentType.split(';')[0]?.trim().toLowerCase() ?? '');
  return /\.(png|jpe?g|webp)$/i.test(attachment.name);
}

/** Why an attachment is refused before downloading, or undefined when it may be downloaded. */
function refusal(attachment: AttachmentInfo, options: IntakeOptions): string | undefined {
  if (!isTrustedAttachmentUrl(attachment.url, options.trustedHosts)) return text.attachmentUntrusted(attachment.name);
  if (attachment.contentType && !looksLikeImage(attachment)) {
    return text.attachmentNotImage(attachment.name, attachment.contentType.split(';')[0] ?? attachment.contentType);
  }
  if (attachment.size > options.maxBytes) return text.attachmentTooLarge(attachment.name, formatBytes(options.maxBytes));
  return undefined;
}

/**
 * Downloads `attachments` in order (in parallel) into references. The first problem found is
 * returned as a user-ready reason; the core still checks types, sizes and counts by the bytes.
 */
export async function intakeAttachments(
  attachments: readonly AttachmentInfo[],
  source: ReferenceSource,
  options: IntakeOptions,
): Promise<IntakeOutcome> {
  for (const attachment of attachments) {
    const reason = refusal(attachment, options);
    if (reason !== undefined) return { ok: false, reason };
  }
  const downloads = await Promise.allSettled(
    attachments.map((attachment) =>
      downloadImage(attachment.url, {
        timeoutMs: options.timeoutMs,
        maxBytes: options.maxBytes,
        ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
      }),
    ),
  );
  const references: Reference[] = [];
  for (const [index, download] of downloads.entries()) {
    const attachment = attachments[index] as AttachmentInfo;
    if (download.status === 'rejected') {
      const error: unknown = download.reason;
      // Non-retryable download errors describe the file ("not an image (a PDF document)"), so users see why.
      if (isBotError(error) && !error.retryable) return { ok: false, reason: text.attachmentUnusable(attachment.name, error.message) };
      return { ok: false, reason: text.attachmentDownloadFailed(attachment.name) };
    }
    references.push({ data: download.value.data, url: attachment.url, filename: attachment.name, source });
  }
  return { ok: true, references };
}
