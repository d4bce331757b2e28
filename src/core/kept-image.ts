// The copy of a delivered image the store keeps so `/show` can post it again after the provider's URL expired.
import type { ImageMimeType } from './image-type.ts';

/** The posted image's bytes (or a smaller copy of a very large one), bounded by SHOW_IMAGE_MAX_MB. */
export interface KeptImage {
  data: Uint8Array;
  mimeType: ImageMimeType;
}

export interface KeptImages {
  /**
   * The image kept with job `jobId` when it was delivered (see `JobStore.markDelivered`); undefined
   * when none was kept or the job was purged. Purging a job removes its image in the same step.
   */
  keptImage(jobId: string): Promise<KeptImage | undefined>;
}
