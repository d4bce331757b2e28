// The Web API methods the bot calls, answered like Slack does (HTTP 200, `{ok:false, error}` on failure).
import { jsonField, type ParsedBody } from './request-body.ts';
import { fileJson, messageJson, type Workspace } from './workspace.ts';

/** Who the fake is: tokens it accepts and the bot's ids. */
export interface FakeIdentity {
  botToken: string;
  appToken: string;
  teamId: string;
  botUserId: string;
  botId: string;
}

/** What a Web API method handler can see and change. */
export interface ApiContext {
  workspace: Workspace;
  identity: FakeIdentity;
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /** The label of the API URL the call came through (`FakeSlack.apiUrlFor`), undefined for the plain one. */
  client: string | undefined;
  /** Errors to answer instead of running a method, consumed one per call (`not_in_channel`). */
  faults: Map<string, string[]>;
}

type ApiAnswer = Record<string, unknown>;
type MethodHandler = (fields: Record<string, string>, context: ApiContext) => ApiAnswer;

/** How long a trigger id can open a modal. */
const triggerLifetimeMs = 3000;

const fail = (error: string): ApiAnswer => ({ ok: false, error });

function blocksOf(fields: Record<string, string>): unknown[] | undefined {
  const blocks = jsonField(fields, 'blocks');
  return Array.isArray(blocks) ? blocks : undefined;
}

const methods: Record<string, MethodHandler> = {
  'auth.test': (_fields, { identity }) => ({
    ok: true,
    url: 'https://fake-workspace.slack.com/',
    team: 'Fake Workspace',
    user: 'nano-imagine',
    team_id: identity.teamId,
    user_id: identity.botUserId,
    bot_id: identity.botId,
  }),

  // The ticket names who asked, so the fake knows which process each connection (and envelope) belongs to.
  'apps.connections.open': (_fields, { baseUrl, client }) => ({
    ok: true,
    url: `${baseUrl.replace(/^http/, 'ws')}/socket?ticket=${Math.random().toString(16).slice(2)}${client === undefined ? '' : `&client=${encodeURIComponent(client)}`}`,
  }),

  'chat.postMessage': (fields, { workspace, identity }) => {
    const channel = fields.channel;
    if (!channel) return fail('channel_not_found');
    const text = fields.text ?? '';
    const blocks = blocksOf(fields);
    if (text === '' && blocks === undefined) return fail('no_text');
    const message = workspace.addMessage({
      channel,
      user: identity.botUserId,
      botId: identity.botId,
      text,
      ...(blocks === undefined ? {} : { blocks }),
      ...(fields.thread_ts ? { threadTs: fields.thread_ts } : {}),
      metadata: jsonField(fields, 'metadata'),
    });
    return { ok: true, channel, ts: message.ts, message: messageJson(message) };
  },

  'chat.update': (fields, { workspace }) => {
    const message = workspace.findMessage(fields.channel ?? '', fields.ts ?? '');
    if (!message) return fail('message_not_found');
    const blocks = blocksOf(fields);
    if (fields.text !== undefined) message.text = fields.text;
    // Slack keeps the old blocks when an update sends none.
    if (blocks !== undefined) message.blocks = blocks;
    message.versions.push({ text: message.text, blocks: message.blocks, at: Date.now() });
    return { ok: true, channel: message.channel, ts: message.ts, text: message.text, message: messageJson(message) };
  },

  'chat.delete': (fields, { workspace }) => {
    const message = workspace.findMessage(fields.channel ?? '', fields.ts ?? '');
    if (!message) return fail('message_not_found');
    message.deleted = true;
    return { ok: true, channel: message.channel, ts: message.ts };
  },

  // Like Slack: `{ok, channel, permalink}`; a thread reply's link carries its thread so the client opens it there.
  'chat.getPermalink': (fields, { workspace }) => {
    const message = workspace.findMessage(fields.channel ?? '', fields.message_ts ?? '');
    if (!message) return fail('message_not_found');
    const thread = message.threadTs === undefined || message.threadTs === message.ts ? '' : `?thread_ts=${message.threadTs}&cid=${message.channel}`;
    return { ok: true, channel: message.channel, permalink: `https://fake-workspace.slack.com/archives/${message.channel}/p${message.ts.replace('.', '')}${thread}` };
  },

  'chat.postEphemeral': (fields, { workspace }) => {
    if (!fields.channel || !fields.user) return fail('invalid_arguments');
    workspace.ephemerals.push({
      channel: fields.channel,
      user: fields.user,
      text: fields.text ?? '',
      blocks: blocksOf(fields),
      threadTs: fields.thread_ts || undefined,
      at: Date.now(),
    });
    return { ok: true, message_ts: workspace.nextTs() };
  },

  'views.open': (fields, { workspace }) => {
    const triggerId = fields.trigger_id ?? '';
    const issuedAt = workspace.triggers.get(triggerId);
    if (issuedAt === undefined) return fail('invalid_trigger_id');
    if (Date.now() - issuedAt > triggerLifetimeMs) return fail('expired_trigger_id');
    const view = jsonField(fields, 'view');
    if (typeof view !== 'object' || view === null) return fail('invalid_arguments');
    const id = workspace.nextId('V');
    workspace.views.push({ id, triggerId, view: view as Record<string, unknown>, at: Date.now() });
    return { ok: true, view: { ...(view as Record<string, unknown>), id, hash: `${id}.hash`, state: { values: {} } } };
  },

  'files.getUploadURLExternal': (fields, { workspace, baseUrl, client }) => {
    const length = Number(fields.length);
    if (!fields.filename || !Number.isInteger(length) || length <= 0) return fail('invalid_arguments');
    const fileId = workspace.nextId('F');
    workspace.pendingUploads.set(fileId, { filename: fields.filename, length, altText: fields.alt_text || undefined });
    // Under the caller's label too, so the byte upload is attributed like the calls around it.
    const prefix = client === undefined ? '' : `/client/${encodeURIComponent(client)}`;
    return { ok: true, upload_url: `${baseUrl}${prefix}/upload/v1/${fileId}`, file_id: fileId };
  },

  'files.completeUploadExternal': (fields, { workspace, identity }) => {
    const entries = jsonField(fields, 'files');
    if (!Array.isArray(entries) || entries.length === 0) return fail('invalid_arguments');
    const completed = [];
    for (const entry of entries as Array<{ id?: string; title?: string }>) {
      const pending = entry.id === undefined ? undefined : workspace.pendingUploads.get(entry.id);
      if (!pending?.bytes) return fail('file_not_found');
      if (pending.bytes.byteLength !== pending.length) return fail('file_size_mismatch');
      workspace.pendingUploads.delete(entry.id as string);
      const file = workspace.addFile({
        id: entry.id as string,
        bytes: pending.bytes,
        name: pending.filename,
        user: identity.botUserId,
        ...(entry.title === undefined ? {} : { title: entry.title }),
        ...(pending.altText === undefined ? {} : { altText: pending.altText }),
      });
      completed.push(file);
    }
    if (fields.channel_id) {
      workspace.addMessage({
        channel: fields.channel_id,
        user: identity.botUserId,
        botId: identity.botId,
        text: fields.initial_comment ?? '',
        files: completed,
        ...(fields.thread_ts ? { threadTs: fields.thread_ts } : {}),
      });
    }
    return { ok: true, files: completed.map((file) => ({ id: file.id, title: file.title })) };
  },

  // With `shares` like Slack's: where the file was posted, with each message's ts (how a bot learns the ts of its upload).
  'files.info': (fields, { workspace }) => {
    const file = workspace.files.get(fields.file ?? '');
    return file ? { ok: true, file: { ...fileJson(file), shares: sharesOf(workspace, file.id) } } : fail('file_not_found');
  },

  'conversations.replies': (fields, { workspace }) => {
    const parent = workspace.findMessage(fields.channel ?? '', fields.ts ?? '');
    if (!parent) return fail('thread_not_found');
    const includeMetadata = fields.include_all_metadata === 'true' || fields.include_all_metadata === '1';
    const thread = workspace.thread(parent.channel, parent.threadTs ?? parent.ts);
    return {
      ok: true,
      messages: thread.map((message) => messageJson(message, { includeMetadata })),
      has_more: false,
      response_metadata: { next_cursor: '' },
    };
  },

  // A member as Slack describes one (a subset): roles at the top level, names in `profile`. Unknown ids are `U…` members.
  'users.info': (fields, { workspace }) => {
    const id = fields.user ?? '';
    if (!/^[UW][A-Z0-9]+$/.test(id)) return fail('user_not_found');
    const user = workspace.user(id);
    return {
      ok: true,
      user: {
        id: user.id,
        team_id: workspace.teamId,
        name: user.name,
        real_name: user.displayName,
        deleted: false,
        is_bot: false,
        is_admin: user.isAdmin || user.isOwner,
        is_owner: user.isOwner,
        is_primary_owner: false,
        profile: { display_name: user.displayName, real_name: user.displayName },
      },
    };
  },

  // Channel-level messages, newest first, from `oldest` on (thread replies are not part of a channel's history).
  'conversations.history': (fields, { workspace }) => {
    const channel = fields.channel ?? '';
    const includeMetadata = fields.include_all_metadata === 'true' || fields.include_all_metadata === '1';
    const oldest = Number(fields.oldest ?? '0');
    const limit = Math.min(Number(fields.limit ?? '100') || 100, 999);
    const history = workspace.messages
      .filter((message) => message.channel === channel && !message.deleted && message.threadTs === undefined && Number(message.ts) >= oldest)
      .reverse();
    return {
      ok: true,
      messages: history.slice(0, limit).map((message) => messageJson(message, { includeMetadata })),
      has_more: history.length > limit,
      response_metadata: { next_cursor: '' },
    };
  },
};

/** `shares` of a file: public (`C…`) and private channels it was posted in, with the ts of each message carrying it. */
function sharesOf(workspace: Workspace, fileId: string): Record<string, Record<string, unknown[]>> {
  const shares: Record<string, Record<string, unknown[]>> = {};
  for (const message of workspace.messages) {
    if (message.deleted || !message.files.some((file) => file.id === fileId)) continue;
    const visibility = message.channel.startsWith('C') ? 'public' : 'private';
    const channels = (shares[visibility] ??= {});
    (channels[message.channel] ??= []).push({
      ts: message.ts,
      ...(message.threadTs === undefined ? {} : { thread_ts: message.threadTs }),
      team_id: workspace.teamId,
      share_user_id: message.user,
    });
  }
  return shares;
}

/** Answers one Web API call and records it in the workspace. */
export function callMethod(method: string, body: ParsedBody, token: string | undefined, context: ApiContext): ApiAnswer {
  const { fields } = body;
  const expectedToken = method === 'apps.connections.open' ? context.identity.appToken : context.identity.botToken;
  const suppliedToken = token ?? fields.token;
  const handler = methods[method];
  let answer: ApiAnswer;
  const fault = context.faults.get(method)?.shift();
  if (suppliedToken === undefined) answer = fail('not_authed');
  else if (suppliedToken !== expectedToken) answer = fail('invalid_auth');
  else if (!handler) answer = fail('unknown_method');
  else if (fault !== undefined) answer = fail(fault);
  else answer = handler(fields, context);
  context.workspace.calls.push({
    method,
    client: context.client,
    fields,
    ok: answer.ok === true,
    error: typeof answer.error === 'string' ? answer.error : undefined,
    at: Date.now(),
  });
  return answer;
}
