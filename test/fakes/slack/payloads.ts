// Builders for the payloads Slack sends an app: slash commands, event callbacks, button clicks, shortcuts, view submissions.
import { fileJson, messageJson, type FakeMessage, type OpenedView } from './workspace.ts';

/** What every payload needs from the fake: ids, and fresh trigger ids and response URLs. */
export interface PayloadContext {
  teamId: string;
  apiAppId: string;
  botUserId: string;
  issueTrigger(): string;
  newResponseUrl(): string;
}

const verificationToken = 'fake-verification-token';

/** The user object interactive payloads carry. */
function userOf(context: PayloadContext, userId: string): Record<string, unknown> {
  return { id: userId, username: userId.toLowerCase(), name: userId.toLowerCase(), team_id: context.teamId };
}

/** A `/imagine` (or other) slash command, as Slack posts it (all values are strings). */
export function slashCommandPayload(
  context: PayloadContext,
  input: { userId: string; userName?: string; channelId: string; text: string; command?: string },
): Record<string, unknown> {
  return {
    token: verificationToken,
    team_id: context.teamId,
    team_domain: 'fake-workspace',
    channel_id: input.channelId,
    channel_name: 'general',
    user_id: input.userId,
    user_name: input.userName ?? input.userId.toLowerCase(),
    command: input.command ?? '/imagine',
    text: input.text,
    api_app_id: context.apiAppId,
    is_enterprise_install: 'false',
    response_url: context.newResponseUrl(),
    trigger_id: context.issueTrigger(),
  };
}

/** An Events API callback wrapping `event`. */
export function eventCallbackPayload(context: PayloadContext, event: Record<string, unknown>, eventId: string): Record<string, unknown> {
  return {
    token: verificationToken,
    team_id: context.teamId,
    api_app_id: context.apiAppId,
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: context.teamId, user_id: context.botUserId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: `4-${eventId}`,
  };
}

/** The `message` event for a user message; thread replies carry `parent_user_id` like Slack's. */
export function messageEvent(message: FakeMessage, parent: FakeMessage | undefined): Record<string, unknown> {
  return {
    ...messageJson(message),
    ...(message.files.length > 0 ? { subtype: 'file_share' } : {}),
    channel: message.channel,
    channel_type: 'channel',
    event_ts: message.ts,
    client_msg_id: `client-${message.ts}`,
    ...(parent === undefined || message.threadTs === undefined ? {} : { parent_user_id: parent.user }),
  };
}

/** The `app_mention` event for a user message that mentions the bot. */
export function appMentionEvent(message: FakeMessage): Record<string, unknown> {
  return {
    type: 'app_mention',
    user: message.user,
    text: message.text,
    ts: message.ts,
    channel: message.channel,
    event_ts: message.ts,
    client_msg_id: `client-${message.ts}`,
    ...(message.threadTs === undefined ? {} : { thread_ts: message.threadTs }),
    ...(message.files.length === 0 ? {} : { files: message.files.map(fileJson) }),
  };
}

/** A button click (`block_actions`) on a message. */
export function blockActionPayload(
  context: PayloadContext,
  input: { userId: string; message: FakeMessage; action: Record<string, unknown> },
): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: userOf(context, input.userId),
    api_app_id: context.apiAppId,
    token: verificationToken,
    container: { type: 'message', message_ts: input.message.ts, channel_id: input.message.channel, is_ephemeral: false },
    trigger_id: context.issueTrigger(),
    team: { id: context.teamId, domain: 'fake-workspace' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: input.message.channel, name: 'general' },
    message: messageJson(input.message),
    state: { values: {} },
    response_url: context.newResponseUrl(),
    actions: [{ ...input.action, type: 'button', action_ts: `${Date.now() / 1000}` }],
  };
}

/** A message shortcut (`message_action`) on `message`. */
export function messageShortcutPayload(
  context: PayloadContext,
  input: { userId: string; message: FakeMessage; callbackId: string },
): Record<string, unknown> {
  return {
    type: 'message_action',
    token: verificationToken,
    action_ts: `${Date.now() / 1000}`,
    team: { id: context.teamId, domain: 'fake-workspace' },
    user: userOf(context, input.userId),
    channel: { id: input.message.channel, name: 'general' },
    is_enterprise_install: false,
    enterprise: null,
    callback_id: input.callbackId,
    trigger_id: context.issueTrigger(),
    response_url: context.newResponseUrl(),
    message_ts: input.message.ts,
    message: messageJson(input.message),
  };
}

/** A modal submission: the opened view with the user's input in `state.values`. */
export function viewSubmissionPayload(
  context: PayloadContext,
  input: { userId: string; view: OpenedView; values: Record<string, Record<string, unknown>> },
): Record<string, unknown> {
  return {
    type: 'view_submission',
    team: { id: context.teamId, domain: 'fake-workspace' },
    user: userOf(context, input.userId),
    api_app_id: context.apiAppId,
    token: verificationToken,
    trigger_id: context.issueTrigger(),
    view: {
      ...input.view.view,
      id: input.view.id,
      team_id: context.teamId,
      app_id: context.apiAppId,
      bot_id: 'B0FAKEBOT',
      hash: `${input.view.id}.hash`,
      state: { values: input.values },
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}
