// Reuses a stored job for Reroll, 4K and Remix: its settings, and the image it produced.
import type { Message } from 'discord.js';
import type { JobView } from '../../core/imagine-service.ts';
import type { GenerationRequest, Origin, Reference, Requester, Resolution } from '../../core/request.ts';
import { attachmentInfo, looksLikeImage, type AttachmentInfo } from './attachments.ts';
import type { DiscordContext } from './context.ts';

export interface ReuseChanges {
  requester: Requester;
  origin: Origin;
  prompt?: string;
  references?: Reference[];
  resolution?: Resolution;
}

/** A new request with `job`'s settings (provider, model, aspect, resolution, format) and the given changes. */
export function requestFromJob(job: JobView, changes: ReuseChanges): GenerationRequest {
  const previous = job.request;
  return {
    prompt: changes.prompt ?? previous.prompt,
    references: changes.references ?? previous.references,
    ...(previous.aspectRatio === undefined ? {} : { aspectRatio: previous.aspectRatio }),
    resolution: changes.resolution ?? previous.resolution,
    outputFormat: previous.outputFormat,
    provider: previous.provider,
    model: previous.model,
    // A job the bot gave its default provider may fail over again; one whose provider the user named never moves.
    ...(previous.providerFromDefault === true ? { providerFromDefault: true } : {}),
    requester: changes.requester,
    origin: changes.origin,
  };
}

/** Custom ids of the buttons on `message` (rows of any layout). */
export function buttonCustomIds(message: Message): string[] {
  const ids: string[] = [];
  for (const row of message.components) {
    const children: readonly unknown[] = 'components' in row ? row.components : [];
    for (const child of children) {
      if (typeof child === 'object' && child !== null && 'customId' in child && typeof child.customId === 'string') ids.push(child.customId);
    }
  }
  return ids;
}

/** The first usable image on `message`. */
export function firstImage(message: Message): AttachmentInfo | undefined {
  return [...message.attachments.values()].map(attachmentInfo).find(looksLikeImage);
}

/** The image of `jobId` as `shown` displays it, when `shown` is that job's result message (what a button was pressed on). */
export function imageShownFor(jobId: string, shown: Message | null): AttachmentInfo | undefined {
  return shown && shown.content.includes(jobId) ? firstImage(shown) : undefined;
}

/** The image `job` produced, fetched from the message it was delivered to; undefined when that is gone. */
export async function deliveredImageOf(context: DiscordContext, job: JobView): Promise<AttachmentInfo | undefined> {
  if (job.deliveredMessageId === null || job.origin.channelId === undefined) return undefined;
  try {
    const channel = await context.client.channels.fetch(job.origin.channelId);
    if (!channel?.isTextBased()) return undefined;
    return firstImage(await channel.messages.fetch(job.deliveredMessageId));
  } catch {
    return undefined;
  }
}
