// Images in through messages: replies in the bot's result threads remix, mentions with a prompt generate in their thread.
import type { App } from '@slack/bolt';
import type { Reference } from '../../core/request.ts';
import { toBotError } from '../../core/errors.ts';
import { decodeSlackText, mentionsBot, stripBotMention } from './escape.ts';
import { downloadSlackFiles, fetchPreviousResult } from './file-intake.ts';
import { resolveSettings, settingsOf } from './job-settings.ts';
import { slackText } from './messages.ts';
import { tellUser } from './notify.ts';
import { helpText } from './help-text.ts';
import { parseImagineText } from './parse-command.ts';
import { slackRequester, type SlackRuntime } from './runtime.ts';
import { readFiles, stringField, type SlackFile } from './slack-payloads.ts';
import { findLatestResult } from './thread-results.ts';

/** A user message the bot should act on, reduced to what matters. */
interface IncomingMessage {
  eventId: string;
  teamId: string | undefined;
  channelId: string;
  userId: string;
  ts: string;
  /** The thread it was posted in; undefined for a channel-level message. */
  threadTs: string | undefined;
  /** Slack-encoded text. */
  text: string;
  files: SlackFile[];
  via: 'reply' | 'mention';
}

/** Message subtypes that are a person posting (with files, or also to the channel). */
const userSubtypes = new Set([undefined, 'file_share', 'thread_broadcast']);

async function handleMessage(runtime: SlackRuntime, message: IncomingMessage): Promise<void> {
  const { service, launcher, logger } = runtime;
  const threadTs = message.threadTs ?? message.ts;
  const tell = (text: string) => tellUser(runtime.client, { channelId: message.channelId, userId: message.userId, threadTs }, text, logger);
  const requester = slackRequester(message.userId, message.teamId);

  const previous =
    message.threadTs === undefined
      ? undefined
      : await findLatestResult({ client: runtime.client, service, botUserId: runtime.botUserId, logger }, message.channelId, message.threadTs);
  if (message.via === 'reply' && previous === undefined) {
    await tell(slackText.noResultInThread);
    return;
  }
  const text = decodeSlackText(stripBotMention(message.text, runtime.botUserId));
  const parsed = parseImagineText(text, {
    keywords: message.via === 'mention',
    emptyPromptMessage: message.via === 'reply' ? slackText.replyNeedsPrompt : slackText.mentionNeedsPrompt,
  });
  if (parsed.kind === 'help' && text.trim() === '') {
    await tell(message.via === 'reply' ? slackText.replyNeedsPrompt : slackText.mentionNeedsPrompt);
    return;
  }
  if (parsed.kind === 'help' || parsed.kind === 'quota') {
    await tell(parsed.kind === 'quota' ? slackText.quota(await service.balance(requester)) : helpText(service));
    return;
  }
  if (parsed.kind === 'invalid') {
    await tell(parsed.message);
    return;
  }
  const resolved = resolveSettings(service, parsed.flags, previous ? settingsOf(previous) : undefined);
  if ('error' in resolved) {
    await tell(resolved.error);
    return;
  }
  // Checked before downloading anything, so an empty balance costs no transfer.
  const refusal = await launcher.checkCredits(requester, resolved.settings);
  if (refusal) {
    await tell(refusal);
    return;
  }
  let references: Reference[];
  try {
    const attached = await downloadSlackFiles(message.files, runtime.intake);
    references = previous ? [await fetchPreviousResult(previous, runtime.intake), ...attached] : attached;
  } catch (error) {
    const failure = toBotError(error);
    await tell(slackText.refusal(failure.code, failure.message));
    return;
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
    dedupeKey: `slack:event:${message.eventId}`,
  });
  if (outcome.kind === 'refused') await tell(outcome.text);
}

/** Registers `app_mention` and `message` (thread replies). Events are acked by Bolt before these run. */
export function registerMessageHandlers(app: App, runtime: SlackRuntime): void {
  const run = async (message: IncomingMessage) => {
    // A redelivered event (same event_id, X-Slack-Retry-Num) is dropped here while the first is still working.
    if (!runtime.recent.claim(`slack:event:${message.eventId}`)) return;
    await handleMessage(runtime, message);
  };

  app.event('app_mention', async ({ event, body }) => {
    const eventId = stringField(body, 'event_id');
    if (!eventId || !event.user || stringField(event, 'bot_id')) return;
    await run({
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

  app.event('message', async ({ event, body }) => {
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
    await run({
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
