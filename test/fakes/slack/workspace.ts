// The fake Slack's memory: channels' messages (with every edit), files, ephemerals, modals, API calls and triggers.
import { sniffImageType } from '../../../src/core/image-type.ts';

/** A file as the fake stores it; `bytes` is what downloads serve. */
export interface FakeFile {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  filetype: string;
  size: number;
  user: string;
  bytes: Uint8Array;
  altText: string | undefined;
  url_private: string;
  url_private_download: string;
}

/** One state of a message: as posted, then after each `chat.update`. */
export interface MessageVersion {
  text: string;
  blocks: unknown[] | undefined;
  at: number;
}

/** A message in a channel or thread, bot or user. */
export interface FakeMessage {
  channel: string;
  ts: string;
  /** Parent ts for replies; undefined for channel-level messages. */
  threadTs: string | undefined;
  user: string;
  botId: string | undefined;
  text: string;
  blocks: unknown[] | undefined;
  files: FakeFile[];
  metadata: unknown;
  /** Every version, oldest first; the last one is the current text and blocks. */
  versions: MessageVersion[];
  deleted: boolean;
}

/** A `chat.postEphemeral` as received. */
export interface EphemeralMessage {
  channel: string;
  user: string;
  text: string;
  blocks: unknown[] | undefined;
  threadTs: string | undefined;
  at: number;
}

/** A modal opened with `views.open`. */
export interface OpenedView {
  id: string;
  triggerId: string;
  view: Record<string, unknown>;
  at: number;
}

/** A Web API call as received (token-checked or not). */
export interface ApiCall {
  method: string;
  /** The label of the API URL it came through (which process made it); undefined on the plain URL. */
  client: string | undefined;
  fields: Record<string, string>;
  ok: boolean;
  error: string | undefined;
  at: number;
}

/** A POST to a `response_url` (what `respond()` sends). */
export interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
  at: number;
}

/** Bytes POSTed to an upload URL (the middle step of `files.uploadV2`). */
export interface FileUpload {
  fileId: string;
  client: string | undefined;
  byteLength: number;
  at: number;
}

/** A download of a user or bot file: whether it carried the bot token and what was served. */
export interface FileDownload {
  fileId: string;
  authorized: boolean;
  served: 'file' | 'login-page';
  at: number;
}

/** A member of the workspace as `users.info` describes them; the flags are what tests set. */
export interface FakeUser {
  id: string;
  /** The handle (`name`); display and real names derive from it unless given. */
  name: string;
  displayName: string;
  isAdmin: boolean;
  isOwner: boolean;
}

/** Everything the fake Slack remembers; tests read it directly. */
export class Workspace {
  readonly messages: FakeMessage[] = [];
  readonly files = new Map<string, FakeFile>();
  readonly ephemerals: EphemeralMessage[] = [];
  readonly views: OpenedView[] = [];
  readonly calls: ApiCall[] = [];
  readonly responses: ResponseUrlPost[] = [];
  readonly downloads: FileDownload[] = [];
  readonly uploads: FileUpload[] = [];
  /** Members with their roles; a user id never set here still exists, as an ordinary member (see `user`). */
  readonly users = new Map<string, FakeUser>();
  /** trigger_id → when it was issued; Slack accepts a trigger for about 3 s. */
  readonly triggers = new Map<string, number>();
  /** Files announced by `files.getUploadURLExternal`, waiting for their bytes and completion. */
  readonly pendingUploads = new Map<string, { filename: string; length: number; altText: string | undefined; bytes?: Uint8Array }>();
  #counter = 0;
  readonly #epochSeconds = Math.floor(Date.now() / 1000);

  constructor(
    readonly teamId: string,
    private readonly baseUrl: () => string,
  ) {}

  /** A message ts, strictly increasing like Slack's. */
  nextTs(): string {
    this.#counter += 1;
    return `${this.#epochSeconds + Math.floor(this.#counter / 1_000_000)}.${String(this.#counter % 1_000_000).padStart(6, '0')}`;
  }

  /** A Slack-looking id (`F0…`, `V0…`). */
  nextId(prefix: string): string {
    this.#counter += 1;
    return `${prefix}0${String(this.#counter).padStart(8, '0')}`;
  }

  /** Sets a member's roles or names (workspace admin, owner), keeping what is not given. */
  setUser(id: string, input: Partial<Omit<FakeUser, 'id'>>): FakeUser {
    const user = { ...this.user(id), ...input };
    this.users.set(id, user);
    return user;
  }

  /** The member `id`: as set, or an ordinary member named after the id (every user the tests act as exists). */
  user(id: string): FakeUser {
    const name = id.toLowerCase();
    return this.users.get(id) ?? { id, name, displayName: name, isAdmin: false, isOwner: false };
  }

  /** A trigger id valid from now. */
  issueTrigger(): string {
    const triggerId = `${this.#counter + 1}.${this.teamId}.${Math.random().toString(16).slice(2, 18)}`;
    this.#counter += 1;
    this.triggers.set(triggerId, Date.now());
    return triggerId;
  }

  /** Stores a file with download URLs served by this fake. */
  addFile(input: { bytes: Uint8Array; name: string; user: string; mimetype?: string; altText?: string; id?: string; title?: string }): FakeFile {
    const id = input.id ?? this.nextId('F');
    const sniffed = sniffImageType(input.bytes);
    const mimetype = input.mimetype ?? sniffed ?? 'application/octet-stream';
    const filetype = mimetype.split('/')[1]?.replace('jpeg', 'jpg') ?? 'binary';
    const path = `${this.baseUrl()}/files-pri/${this.teamId}-${id}`;
    const file: FakeFile = {
      id,
      name: input.name,
      title: input.title ?? input.name,
      mimetype,
      filetype,
      size: input.bytes.byteLength,
      user: input.user,
      bytes: input.bytes,
      altText: input.altText,
      url_private: `${path}/${encodeURIComponent(input.name)}`,
      url_private_download: `${path}/download/${encodeURIComponent(input.name)}`,
    };
    this.files.set(id, file);
    return file;
  }

  /** Stores a message (bot or user) and returns it. */
  addMessage(input: {
    channel: string;
    user: string;
    text: string;
    botId?: string;
    threadTs?: string;
    blocks?: unknown[];
    files?: FakeFile[];
    metadata?: unknown;
  }): FakeMessage {
    const ts = this.nextTs();
    const message: FakeMessage = {
      channel: input.channel,
      ts,
      threadTs: input.threadTs,
      user: input.user,
      botId: input.botId,
      text: input.text,
      blocks: input.blocks,
      files: input.files ?? [],
      metadata: input.metadata,
      versions: [{ text: input.text, blocks: input.blocks, at: Date.now() }],
      deleted: false,
    };
    this.messages.push(message);
    return message;
  }

  /** The live message `ts` in `channel`, if any. */
  findMessage(channel: string, ts: string): FakeMessage | undefined {
    return this.messages.find((message) => message.channel === channel && message.ts === ts && !message.deleted);
  }

  /** The parent and its live replies, oldest first. */
  thread(channel: string, threadTs: string): FakeMessage[] {
    return this.messages.filter(
      (message) => message.channel === channel && !message.deleted && (message.ts === threadTs || message.threadTs === threadTs),
    );
  }

  /** Live messages posted by the bot, oldest first. */
  botMessages(botUserId: string): FakeMessage[] {
    return this.messages.filter((message) => message.user === botUserId && !message.deleted);
  }

  /** Calls of one Web API method, oldest first. */
  callsOf(method: string): ApiCall[] {
    return this.calls.filter((call) => call.method === method);
  }
}

/** A file as the Web API and events describe it (no bytes). */
export function fileJson(file: FakeFile): Record<string, unknown> {
  return {
    id: file.id,
    name: file.name,
    title: file.title,
    mimetype: file.mimetype,
    filetype: file.filetype,
    size: file.size,
    user: file.user,
    mode: 'hosted',
    is_external: false,
    url_private: file.url_private,
    url_private_download: file.url_private_download,
    ...(file.altText === undefined ? {} : { alt_txt: file.altText }),
  };
}

/** A message as `conversations.replies` and event payloads describe it. */
export function messageJson(message: FakeMessage, options: { includeMetadata?: boolean } = {}): Record<string, unknown> {
  return {
    type: 'message',
    ts: message.ts,
    user: message.user,
    text: message.text,
    ...(message.botId === undefined ? {} : { bot_id: message.botId }),
    ...(message.threadTs === undefined ? {} : { thread_ts: message.threadTs }),
    ...(message.blocks === undefined ? {} : { blocks: message.blocks }),
    ...(message.files.length === 0 ? {} : { files: message.files.map(fileJson), upload: false }),
    ...(options.includeMetadata && message.metadata !== undefined ? { metadata: message.metadata } : {}),
  };
}
