// Images in through messages: replies in the bot's result threads remix, mentions with a prompt generate in their thread.
import type { App } from '@slack/bolt';
import type { Reference } from '../../core/request.ts';
import { toBotError } from '../../core/errors.ts';
import { answerCommunityCommand, parseCommunityCommand } from './community-command.ts';
import { decodeSlackText, mentionsBot, stripBotMention } from './escape.ts';
import { downloadSlackFiles, fetchPreviousResult } from './file-intake.ts';
import { resolveSettings, settingsOf } from './job-settings.ts';
import { slackText } from './messages.ts';
import { tellUser } from './notify.ts';
import { helpText } from './help-text.ts';
import { jobsListing } from './jobs-listing.ts';
import { parseImagineText } from './parse-command.ts';
import { slackRequester, type SlackRuntime } from './runtime.ts';
import { readFiles, stringField, type SlackFile } from './slack-payloads.ts';
import { acknowledgeEvent } from './event-ack-gate.ts';
import { intakePayloadVersion, recordedFile, slackFileFrom, type MessagePayload } from './intake-payload.ts';
import { claimRequest, replyTarget, runRequest, type RequestContext } from './request-intake.ts';
import { findLatestResult } from './thread-results.ts';

/** Message subtypes that are a person posting (with files, or also to the channel). */
const userSubtypes = new Set([undefined, 'file_share', 'thread_broadcast']);

/**
 * Handles a recorded mention or thread reply (live, or after a takeover): finds the result it remixes,
 * parses it, downloads its files and starts the job. Returns the answer when it ends without a job.
 */
export async function handleMessage(runtime: SlackRuntime, message: MessagePayload, context: RequestContext): Promise<string | undefined> {
  const { service, launcher, logger } = runtime;
  const threadTs = message.threadTs ?? message.ts;
  const { requester } = message;

  const previous =
    message.threadTs === undefined
      ? undefined
      : await findLatestResult({ client: runtime.client, service, botUserId: runtime.botUserId, logger }, message.channelId, message.threadTs);
  if (message.via === 'reply' && previous === undefined) return slackText.noResultInThread;
  const rawText = stripBotMention(message.text, runtime.botUserId);
  // "@bot cancel 1a2b3c4d", "@bot settings show": the same commands as `/imagine`, answered only to the sender.
  const community = message.via === 'mention' ? parseCommunityCommand(rawText) : undefined;
  if (community !== undefined) return answerCommunityCommand(runtime, community, { requester, channelId: message.channelId });
  const text = decodeSlackText(rawText);
  const parsed = parseImagineText(text, {
    keywords: message.via === 'mention',
    emptyPromptMessage: message.via === 'reply' ? slackText.replyNeedsPrompt : slackText.mentionNeedsPrompt,
  });
  if (parsed.kind === 'help' && text.trim() === '') return message.via === 'reply' ? slackText.replyNeedsPrompt : slackText.mentionNeedsPrompt;
  if (parsed.kind === 'help') return helpText(service);
  if (parsed.kind === 'quota') return slackText.quota(await service.balance(requester));
  if (parsed.kind === 'jobs') return jobsListing(runtime, requester);
  if (parsed.kind === 'invalid') return parsed.message;
  const resolved = resolveSettings(service, parsed.flags, previous ? settingsOf(previous) : undefined);
  if ('error' in resolved) return resolved.error;
  // Checked before downloading anything, so a refused request or an empty balance costs no transfer.
  const screened = await launcher.screen({ requester, channelId: message.channelId, threadTs, prompt: parsed.prompt });
  if (screened !== undefined) return screened;
  const refusal = await launcher.checkCredits(requester, resolved.settings);
  if (refusal) return refusal;
  let references: Reference[];
  try {
    const attached = await downloadSlackFiles(message.files.map(slackFileFrom), runtime.intake);
    references = previous ? [await fetchPreviousResult(previous, runtime.intake), ...attached] : attached;
  } catch (error) {
    const failure = toBotError(error);
    return slackText.refusal(failure.code, failure.message);
  }
  const outcome = await launcher.launch({
    kind: previous ? 'remix' : 'generate',
    requester,
    channelId: message.channelId,
    threadTs,
    replyToTs: message.ts,
    prompt: parsed.prompt,
    references,
    settings: resolved.settings,
    screened: true,
    dedupeKey: context.dedupeKey,
    ...(context.statusTs ? { statusTs: context.statusTs } : {}),
  });
  return outcome.kind === 'refused' ? outcome.text : undefined;
}

/** A message event reduced to what the handler needs. */
interface IncomingMessage {
  eventId: string;
  teamId: string | undefined;
  channelId: string;
  userId: string;
  ts: string;
  threadTs: string | undefined;
  text: string;
  files: SlackFile[];
  via: 'reply' | 'mention';
}

function payloadOf(message: IncomingMessage): MessagePayload {
  return {
    version: intakePayloadVersion,
    kind: 'message',
    requester: slackRequester(message.userId, message.teamId),
    via: message.via,
    channelId: message.channelId,
    ts: message.ts,
    ...(message.threadTs === undefined ? {} : { threadTs: message.threadTs }),
    text: message.text,
    files: message.files.map(recordedFile),
  };
}

/** Registers `app_mention` and `message` (thread replies). Their acks are held until the request is recorded (see `holdEventAcks`). */
export function registerMessageHandlers(app: App, runtime: SlackRuntime): void {
  const run = async (context: Record<string, unknown>, message: IncomingMessage) => {
    const payload = payloadOf(message);
    const dedupeKey = `slack:event:${message.eventId}`;
    const prompt = decodeSlackText(stripBotMention(message.text, runtime.botUserId));
    // A redelivered event (same event_id, X-Slack-Retry-Num), here or in another process, is dropped by the claim.
    const claimed = await claimRequest(runtime, { dedupeKey, prompt, payload });
    // Persist, then acknowledge: from here a process dying on this request leaves an intake another one finishes.
    await acknowledgeEvent(context);
    if (!claimed) return;
    const target = replyTarget(payload);
    await runRequest(runtime, { dedupeKey }, { answer: (text) => tellUser(runtime.client, target, text, runtime.logger) }, (claim) => handleMessage(runtime, payload, claim));
  };

  app.event('app_mention', async ({ event, body, context }) => {
    const eventId = stringField(body, 'event_id');
    if (!eventId || !event.user || stringField(event, 'bot_id')) return;
    await run(context, {
      eventId,
      teamId: stringField(body, 'team_id'),
      channelId: event.channel,
      userId: event.user,
      ts: event.ts,
      threadTs: event.thread_ts,
      text: event.text,
      files: readFiles((event as { files?: unknown }).files),
      via: 'mention',
    });
  });

  app.event('message', async ({ event, body, context }) => {
    const eventId = stringField(body, 'event_id');
    const subtype = stringField(event, 'subtype');
    const userId = stringField(event, 'user');
    const threadTs = stringField(event, 'thread_ts');
    const ts = stringField(event, 'ts');
    const channelId = stringField(event, 'channel');
    const text = stringField(event, 'text') ?? '';
    if (!eventId || !userSubtypes.has(subtype) || stringField(event, 'bot_id') || !userId || !ts || !channelId) return;
    // Only replies in threads the bot started; a mention is handled by app_mention, which Slack also sends.
    if (!threadTs || threadTs === ts || mentionsBot(text, runtime.botUserId)) return;
    if (stringField(event, 'parent_user_id') !== runtime.botUserId) return;
    await run(context, {
      eventId,
      teamId: stringField(body, 'team_id'),
      channelId,
      userId,
      ts,
      threadTs,
      text,
      files: readFiles((event as { files?: unknown }).files),
      via: 'reply',
    });
  });
}
