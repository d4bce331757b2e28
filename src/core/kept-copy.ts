// The copy of a posted image kept for `/show`: the same bytes when they fit the bound, else a smaller re-encoding.
import { fitImageToLimit } from './fit-image.ts';
import type { JobImage } from './delivery.ts';
import type { KeptImage } from './kept-image.ts';

/**
 * What to store with a delivered job (SHOW_IMAGE_MAX_MB as `maxBytes`; undefined when 0: keep none).
 * Most results (1K–2K PNG or JPEG) are a few MB and are kept byte for byte, so `/show` posts exactly
 * what was posted; a rare larger one (a 4K PNG) is re-encoded under the bound, because keeping tens
 * of MB per job for a retention period would make the database grow faster than the bot is used.
 */
export async function keptCopyOf(image: Pick<JobImage, 'data' | 'mimeType'>, maxBytes: number): Promise<KeptImage | undefined> {
  if (maxBytes <= 0) return undefined;
  if (image.data.byteLength <= maxBytes) return { data: image.data, mimeType: image.mimeType };
  const fitted = await fitImageToLimit(image.data, maxBytes);
  return { data: fitted.data, mimeType: fitted.mimeType };
}
