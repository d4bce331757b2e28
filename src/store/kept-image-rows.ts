// Kept images as both stores hold them: a `job_images` row and its mapping to the core's KeptImage.
import type { ImageMimeType } from '../core/image-type.ts';
import type { KeptImage } from '../core/kept-image.ts';
import { fromBlob } from './job-rows.ts';

/** A `job_images` row as read back (bytea and BLOB both arrive as Buffers). */
export interface KeptImageRow {
  data: Buffer;
  mime_type: ImageMimeType;
}

/** The core's view of a kept image: the exact bytes stored, as a plain `Uint8Array`. */
export function toKeptImage(row: KeptImageRow): KeptImage {
  return { data: fromBlob(row.data), mimeType: row.mime_type };
}
