// Short-lived memory of the images on a message a "Remix" command targeted, until its modal comes back.
import type { AttachmentInfo } from './attachments.ts';

/** A modal can stay open a long time; after this the images are fetched again from Discord. */
const keepMs = 15 * 60_000;
const maxEntries = 500;

/** Images by message id, dropped after 15 minutes or when too many are held. */
export class MessageImageCache {
  private readonly entries = new Map<string, { images: AttachmentInfo[]; storedAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  remember(messageId: string, images: AttachmentInfo[]): void {
    this.entries.delete(messageId);
    this.entries.set(messageId, { images, storedAt: this.now() });
    while (this.entries.size > maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /** The images remembered for `messageId`, or undefined when unknown or stale. */
  recall(messageId: string): AttachmentInfo[] | undefined {
    const entry = this.entries.get(messageId);
    if (entry === undefined || this.now() - entry.storedAt > keepMs) return undefined;
    return entry.images;
  }
}
