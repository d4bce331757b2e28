// Reply-to-remix: a reply to one of the bot's results, with text and/or images, remixes that result.
import type { Message } from 'discord.js';
import type { GenerationRequest, Origin } from '../../core/request.ts';
import { attachmentInfo, intakeAttachments, type AttachmentInfo } from './attachments.ts';
import type { DiscordContext } from './context.ts';
import { jobIdOfComponents } from './custom-ids.ts';
import { messageKey, withIntake } from './intake.ts';
import { buttonCustomIds, firstImage, requestFromJob } from './job-reuse.ts';
import { text } from './messages.ts';
import { messageOrigin, requesterOf } from './origin.ts';
import { startJob, type ShowText } from './start-job.ts';
import { noMentions } from './status-message.ts';

/** The reply's text without the mention that addressed the bot. */
function promptOf(message: Message, botId: string): string {
  return message.content.replace(new RegExp(`<@!?${botId}>`, 'g'), ' ').replace(/\s+/g, ' ').trim();
}

/** What the reply remixes and where it reports, worked out before its intake was recorded. */
interface ReplyRemix {
  jobId: string;
  resultImage: AttachmentInfo;
  prompt: string;
  origin: Origin;
  dedupeKey: string;
}

/** Downloads the result and the reply's images, then starts the remix (or ends the status message with why not). */
async function remixFromReply(context: DiscordContext, message: Message<true>, remix: ReplyRemix, show: ShowText): Promise<void> {
  const { jobId, resultImage, prompt, origin } = remix;
  const added = [...message.attachments.values()].map(attachmentInfo);
  const [previous, attached] = await Promise.all([
    intakeAttachments([resultImage], 'previous-result', context.intake),
    intakeAttachments(added, 'attachment', context.intake),
  ]);
  if (!previous.ok) {
    await show(text.remixSourceGone);
    return;
  }
  if (!attached.ok) {
    await show(attached.reason);
    return;
  }
  const references = [...previous.references, ...attached.references];
  const requester = requesterOf(message.author, message.guildId);
  const job = await context.service.getJob(jobId);
  const request: GenerationRequest = job
    ? requestFromJob(job, { prompt, references, requester, origin })
    : { prompt, references, resolution: '1K', outputFormat: 'png', provider: context.service.defaultProvider, requester, origin };
  await startJob(context, request, remix.dedupeKey, show);
}

/**
 * Handles MESSAGE_CREATE. Acts only on replies to the bot's own result messages. Without the
 * MESSAGE_CONTENT intent Discord blanks other users' text and files, so then only replies that
 * mention the bot are read.
 */
export async function handleReplyRemix(context: DiscordContext, message: Message): Promise<void> {
  const botId = context.client.user?.id;
  if (botId === undefined || message.author.bot || message.webhookId !== null || !message.inGuild()) return;
  if (message.reference?.messageId === undefined) return;
  if (!context.messageContent && !message.mentions.users.has(botId)) return;
  let referenced: Message;
  try {
    referenced = await message.fetchReference();
  } catch {
    return;
  }
  if (referenced.author.id !== botId) return;
  const jobId = jobIdOfComponents(buttonCustomIds(referenced));
  const resultImage = firstImage(referenced);
  if (jobId === undefined || resultImage === undefined || !context.handledMessages.first(message.id)) return;

  const prompt = promptOf(message, botId);
  if (prompt === '') {
    await message.reply({ content: text.promptNeeded, allowedMentions: noMentions });
    return;
  }
  const status = await message.reply({ content: text.starting, allowedMentions: noMentions });
  // Recorded right after posting, since the status message is what recovery must end after a crash.
  const origin = messageOrigin(message, status.id);
  const dedupeKey = messageKey(message.id);
  const show: ShowText = (content) => status.edit({ content, components: [], allowedMentions: noMentions });
  const remix = { jobId, resultImage, prompt, origin, dedupeKey };
  const handled = await withIntake(context, { dedupeKey, origin, prompt }, () => remixFromReply(context, message, remix, show));
  if (!handled) {
    // Seen before (a replay after a restart): that request has its own status message, so this one goes.
    await status.delete().catch((error: unknown) => context.logger.warn({ err: error, messageId: status.id }, 'could not remove a duplicate status message'));
  }
}
