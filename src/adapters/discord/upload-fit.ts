// Uploads a result image within Discord's size limit: re-encodes it when too large, and again on a 413.
import { DiscordAPIError, type AttachmentPayload } from 'discord.js';
import type { JobImage } from '../../core/delivery.ts';
import { BotError } from '../../core/errors.ts';
import { fitImageToLimit } from '../../core/fit-image.ts';
import { extensionFor } from '../../core/image-type.ts';
import { formatBytes } from '../../core/format.ts';

/** Discord's "Request entity too large" error code. */
const entityTooLargeCode = 40005;
/** Tries after the first 413 before giving up; each aims 30% lower. */
const maxShrinks = 3;
const shrinkFactor = 0.7;

function isTooLarge(error: unknown): boolean {
  return error instanceof DiscordAPIError && (error.code === entityTooLargeCode || error.status === 413);
}

function renamed(filename: string, mimeType: JobImage['mimeType']): string {
  const base = filename.replace(/\.[a-z0-9]+$/i, '');
  return `${base}.${extensionFor(mimeType)}`;
}

async function fitted(image: JobImage, maxBytes: number): Promise<JobImage> {
  const result = await fitImageToLimit(image.data, maxBytes);
  return { data: result.data, mimeType: result.mimeType, filename: renamed(image.filename, result.mimeType) };
}

/**
 * Calls `send` with the image as an attachment no larger than `limitBytes`. When Discord still
 * answers 413 (a smaller limit than announced, or request overhead), shrinks further and retries.
 */
export async function uploadWithinLimit<T>(
  image: JobImage,
  limitBytes: number,
  send: (file: AttachmentPayload) => Promise<T>,
): Promise<{ sent: T; uploaded: JobImage }> {
  let target = limitBytes;
  let current = image.data.byteLength > target ? await fitted(image, target) : image;
  for (let shrinks = 0; ; shrinks += 1) {
    try {
      const sent = await send({ attachment: Buffer.from(current.data.buffer, current.data.byteOffset, current.data.byteLength), name: current.filename });
      return { sent, uploaded: current };
    } catch (error) {
      if (!isTooLarge(error)) throw error;
      if (shrinks >= maxShrinks) {
        throw new BotError('upload_too_large', `Discord refused the image even at ${formatBytes(current.data.byteLength)}`, { cause: error });
      }
      target = Math.floor(Math.min(target, current.data.byteLength) * shrinkFactor);
      current = await fitted(image, target);
    }
  }
}
