// Reply-to-remix: a reply to one of the bot's results, with text and/or images, remixes that result.
import type { Message } from 'discord.js';
import type { GenerationRequest } from '../../core/request.ts';
import { attachmentInfo, intakeAttachments } from './attachments.ts';
import type { DiscordContext } from './context.ts';
import { jobIdOfComponents } from './custom-ids.ts';
import { buttonCustomIds, firstImage, requestFromJob } from './job-reuse.ts';
import { text } from './messages.ts';
import { messageOrigin, requesterOf } from './origin.ts';
import { startJob } from './start-job.ts';
import { noMentions } from './status-message.ts';

/** The reply's text without the mention that addressed the bot. */
function promptOf(message: Message, botId: string): string {
  return message.content.replace(new RegExp(`<@!?${botId}>`, 'g'), ' ').replace(/\s+/g, ' ').trim();
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
  const show = (content: string) => status.edit({ content, components: [], allowedMentions: noMentions });
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
  const origin = messageOrigin(message, status.id);
  const job = context.service.getJob(jobId);
  const request: GenerationRequest = job
    ? requestFromJob(job, { prompt, references, requester, origin })
    : { prompt, references, resolution: '1K', outputFormat: 'png', provider: context.service.defaultProvider, requester, origin };
  await startJob(context, request, `discord:message:${message.id}`, show);
}
