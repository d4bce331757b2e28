// Reply-to-remix: a reply to one of the bot's results, with text and/or images, remixes that result.
import type { Message } from 'discord.js';
import type { GenerationRequest } from '../../core/request.ts';
import { attachmentInfo, intakeAttachments } from './attachments.ts';
import type { DiscordContext } from './context.ts';
import { jobIdOfComponents } from './custom-ids.ts';
import { intakePayloadVersion, recordedAttachment, type ReplyRemixPayload } from './intake-payload.ts';
import { messageKey, withIntake } from './intake.ts';
import { buttonCustomIds, firstImage, requestFromJob } from './job-reuse.ts';
import { explainError, text } from './messages.ts';
import { messageOrigin, requesterOf } from './origin.ts';
import { screenRequest } from './screening.ts';
import { startJob, type PendingRequest } from './start-job.ts';
import { noMentions } from './status-message.ts';

/** The reply's text without the mention that addressed the bot. */
function promptOf(message: Message, botId: string): string {
  return message.content.replace(new RegExp(`<@!?${botId}>`, 'g'), ' ').replace(/\s+/g, ' ').trim();
}

/**
 * Downloads the result and the reply's images, then starts the remix (or ends the status message
 * with why not). The same live and for an intake taken over after a crash.
 */
export async function finishReplyRemix(context: DiscordContext, payload: ReplyRemixPayload, pending: PendingRequest): Promise<void> {
  const [previous, attached] = await Promise.all([
    intakeAttachments([payload.resultImage], 'previous-result', context.intake),
    intakeAttachments(payload.attachments, 'attachment', context.intake),
  ]);
  if (!previous.ok) {
    await pending.show(text.remixSourceGone);
    return;
  }
  if (!attached.ok) {
    await pending.show(attached.reason);
    return;
  }
  const references = [...previous.references, ...attached.references];
  const { prompt } = pending;
  const requester = payload.requester;
  const [job, origin] = await Promise.all([context.service.getJob(payload.jobId), pending.origin]);
  const request: GenerationRequest = job
    ? requestFromJob(job, { prompt, references, requester, origin })
    : {
        prompt, references, resolution: '1K', resolutionFromDefault: true, outputFormat: 'png',
        provider: context.service.defaultProvider, providerFromDefault: true, requester, origin,
      };
  await startJob(context, request, pending.dedupeKey, pending.show, pending.showPrivately);
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
  const dedupeKey = messageKey(message.id);
  const payload: ReplyRemixPayload = {
    version: intakePayloadVersion,
    kind: 'reply-remix',
    requester: requesterOf(message.author, message.guildId, message.member),
    jobId,
    resultImage: recordedAttachment(resultImage),
    attachments: [...message.attachments.values()].map((attachment) => recordedAttachment(attachmentInfo(attachment))),
    channelId: message.channelId,
    messageId: message.id,
  };
  // Persist, then acknowledge: the status message is the acknowledgement, so it is posted after the
  // intake is recorded. Whoever takes the intake over finds it as the bot's reply to the user's message.
  const origin = messageOrigin(message, undefined);
  await withIntake(context, { dedupeKey, origin, prompt, payload }, async () => {
    // A message cannot be answered privately: in a channel the server does not allow the bot stays
    // silent (it is not wanted there), and a blocked prompt gets a reply that names no rule.
    const refusal = await screenRequest(context, { prompt, requester: payload.requester, origin });
    if (refusal?.kind === 'channel_not_allowed') return;
    if (refusal?.kind === 'prompt_blocked') {
      await message.reply({ content: text.rejected(explainError('prompt_blocked', '')), allowedMentions: noMentions });
      return;
    }
    const status = await message.reply({ content: text.starting, allowedMentions: noMentions });
    await finishReplyRemix(context, payload, {
      dedupeKey,
      prompt,
      origin: Promise.resolve(messageOrigin(message, status.id)),
      show: (content) => status.edit({ content, components: [], allowedMentions: noMentions }),
    });
  });
}
