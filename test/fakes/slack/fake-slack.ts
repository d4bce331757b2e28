// A local fake Slack the real Bolt app runs against: Web API, file host, response URLs, Socket Mode or signed HTTP delivery.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiHolds, type AnnouncedFile, type HoldRule } from './api-holds.ts';
import { receiveUpload, serveDownload } from './file-host.ts';
import {
  appMentionEvent,
  blockActionPayload,
  eventCallbackPayload,
  messageEvent,
  messageShortcutPayload,
  slashCommandPayload,
  viewSubmissionPayload,
  type PayloadContext,
} from './payloads.ts';
import { jsonField, parseBody, readRaw, type ParsedBody } from './request-body.ts';
import { SlackRateLimiter, slackPublishedLimits, type SlackRateLimits } from './rate-limits.ts';
import { postSigned, type SignedPostOptions } from './signed-request.ts';
import { SocketModeServer, type EnvelopeOptions, type EnvelopeType } from './socket-mode.ts';
import { callMethod, type ApiContext, type FakeIdentity } from './web-api.ts';
import { Workspace, type FakeFile, type FakeMessage, type OpenedView } from './workspace.ts';

/** Overrides for the fake's tokens and ids, and its rate limits. */
export interface FakeSlackOptions extends Partial<FakeIdentity> {
  /** Limits the Web API enforces (default Slack's published figures, `slackPublishedLimits`); `false` turns them off. */
  rateLimits?: SlackRateLimits | false;
}

/** How a delivery was acknowledged, whichever transport carried it. */
export interface Acknowledged {
  elapsedMs: number;
  /** What the app answered inside the ack (an ephemeral slash-command reply, modal errors). */
  payload: Record<string, unknown> | undefined;
  /** HTTP status in HTTP mode; 200 for Socket Mode acks. */
  status: number;
}

/** A started fake Slack. Tests drive users through it and read `workspace` to assert. */
export interface FakeSlack {
  readonly identity: FakeIdentity;
  readonly workspace: Workspace;
  readonly socketMode: SocketModeServer;
  /** `http://127.0.0.1:<port>`; also the host user files are served from. */
  readonly baseUrl: string;
  /** What `SLACK_API_URL` / `clientOptions.slackApiUrl` should be. */
  readonly apiUrl: string;
  /**
   * An API URL for one bot process: `…/client/<label>/api/`. Everything that process calls through it
   * (Web API calls, the byte uploads, its Socket Mode connection and so the envelopes it is given)
   * is recorded with `label`, so tests can tell processes apart although they share the bot token.
   */
  apiUrlFor(label: string): string;
  /** Calls held or released by `holdCalls`. */
  readonly holds: ApiHolds;
  /** The rate limits in force and every call answered 429 (`rateLimits.refused`). */
  readonly rateLimits: SlackRateLimiter;
  /** Holds the Web API calls `rule` picks (see `HoldStage`) until the returned function is called. */
  holdCalls(rule: HoldRule): () => void;
  /** Answers the HTML login page for every file download (the app lacks `files:read`). */
  denyFileDownloads: boolean;
  /** Answers `{ok:false, error}` for the next calls of a method. */
  failNext(method: string, error: string): void;
  /** From now on deliver to an HTTP-mode app at `requestUrl` instead of over Socket Mode. */
  useHttp(requestUrl: string, signing: Omit<SignedPostOptions, 'timestampSeconds'>): void;
  /** Sends any payload over the current transport. */
  deliver(type: EnvelopeType, payload: Record<string, unknown>, options?: EnvelopeOptions & Partial<SignedPostOptions>): Promise<Acknowledged>;
  /** A user's slash command; Socket Mode gives it to the next connection in turn, or to `connectionId`. */
  slashCommand(input: { userId: string; channelId: string; text: string; connectionId?: string }): Promise<{ ack: Acknowledged; payload: Record<string, unknown> }>;
  /** Stores a user file (in the fake's file host) to attach to a message. */
  addUserFile(input: { bytes: Uint8Array; name: string; user: string; mimetype?: string }): FakeFile;
  /** Stores a message a user posted (not yet delivered as an event). */
  userMessage(input: { channel: string; user: string; text: string; threadTs?: string; files?: FakeFile[] }): FakeMessage;
  /** Delivers the `message` event for `message`; `eventId` lets tests redeliver the same event. */
  sendMessageEvent(message: FakeMessage, options?: { eventId?: string; retryAttempt?: number }): Promise<Acknowledged>;
  sendMentionEvent(message: FakeMessage, options?: { eventId?: string; retryAttempt?: number }): Promise<Acknowledged>;
  /** Clicks the button `actionId` found in `message`'s blocks; Socket Mode gives it to the next connection in turn, or to `connectionId`. */
  clickButton(input: { userId: string; message: FakeMessage; actionId: string; connectionId?: string }): Promise<Acknowledged>;
  messageShortcut(input: { userId: string; message: FakeMessage; callbackId: string }): Promise<Acknowledged>;
  submitView(input: { userId: string; view: OpenedView; values: Record<string, Record<string, unknown>> }): Promise<Acknowledged>;
  /** Polls `check` until it returns a value other than undefined/false. */
  waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, description: string, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

/** Finds the first block element with `action_id` in a message's blocks. */
export function findAction(blocks: unknown[] | undefined, actionId: string): Record<string, unknown> | undefined {
  for (const block of blocks ?? []) {
    const elements = (block as { elements?: unknown[] }).elements ?? [];
    for (const element of elements) {
      if ((element as { action_id?: string }).action_id === actionId) return element as Record<string, unknown>;
    }
  }
  return undefined;
}

/** Starts the fake on a free loopback port. */
export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const identity: FakeIdentity = {
    botToken: options.botToken ?? 'xoxb-fake-bot-token',
    appToken: options.appToken ?? 'xapp-fake-app-token',
    teamId: options.teamId ?? 'T0FAKETEAM',
    botUserId: options.botUserId ?? 'U0FAKEBOT',
    botId: options.botId ?? 'B0FAKEBOT',
  };
  let baseUrl = '';
  const workspace = new Workspace(identity.teamId, () => baseUrl);
  const faults = new Map<string, string[]>();
  let denyFileDownloads = false;
  let httpTarget: { url: string; signing: Omit<SignedPostOptions, 'timestampSeconds'> } | undefined;
  let responseCounter = 0;

  const holds = new ApiHolds();
  const rateLimits = new SlackRateLimiter(options.rateLimits ?? slackPublishedLimits);
  const apiContext = (client: string | undefined): ApiContext => ({ workspace, identity, baseUrl, client, faults });

  /** The files a file method is about, for hold rules (read before the call runs: completion forgets the pending upload). */
  function filesOf(method: string, fields: Record<string, string>): AnnouncedFile[] {
    if (method === 'files.getUploadURLExternal') return fields.filename ? [{ name: fields.filename, altText: fields.alt_text || undefined }] : [];
    if (method !== 'files.completeUploadExternal') return [];
    const entries = jsonField(fields, 'files');
    if (!Array.isArray(entries)) return [];
    return (entries as Array<{ id?: string }>).flatMap((entry) => {
      const pending = entry.id === undefined ? undefined : workspace.pendingUploads.get(entry.id);
      return pending ? [{ name: pending.filename, altText: pending.altText }] : [];
    });
  }

  async function answerApiCall(method: string, body: ParsedBody, client: string | undefined, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const hold = holds.check({ method, client, fields: body.fields, files: filesOf(method, body.fields) });
    if (hold?.stage === 'before') {
      await hold.released;
      // A call held "on the way" never arrives when its caller died meanwhile.
      if (request.socket.destroyed) return;
    }
    const retryAfterSeconds = rateLimits.admit(method, body.fields, client);
    if (retryAfterSeconds !== undefined) {
      // Slack's answer over a limit: HTTP 429, whole seconds in Retry-After, and this body.
      workspace.calls.push({ method, client, fields: body.fields, ok: false, error: 'ratelimited', at: Date.now() });
      response
        .writeHead(429, { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(retryAfterSeconds) })
        .end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    const bearer = request.headers.authorization?.replace(/^Bearer\s+/, '');
    const answer = callMethod(method, body, bearer, apiContext(client));
    if (hold?.stage === 'after') await hold.released;
    if (request.socket.destroyed) return;
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(answer));
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestUrl = new URL(request.url ?? '/', baseUrl);
    // `/client/<label>/…` is the same fake, with every call recorded as made by `label`.
    const labelled = /^\/client\/([^/]+)(\/.*)$/.exec(requestUrl.pathname);
    const client = labelled?.[1] === undefined ? undefined : decodeURIComponent(labelled[1]);
    const pathname = labelled?.[2] ?? requestUrl.pathname;
    const raw = await readRaw(request);
    if (request.method === 'GET' && pathname.startsWith('/files-pri/')) {
      serveDownload(pathname, request.headers.authorization, workspace, { botToken: identity.botToken, denyDownloads: denyFileDownloads }, response);
      return;
    }
    const body = await parseBody(raw, request.headers);
    const apiMethod = /^\/api\/([\w.]+)$/.exec(pathname)?.[1];
    if (request.method === 'POST' && apiMethod) {
      await answerApiCall(apiMethod, body, client, request, response);
      return;
    }
    const uploadId = /^\/upload\/v1\/(\w+)$/.exec(pathname)?.[1];
    if (request.method === 'POST' && uploadId) {
      receiveUpload(uploadId, body, workspace, client, response);
      return;
    }
    const responseId = /^\/response\/(\w+)$/.exec(pathname)?.[1];
    if (request.method === 'POST' && responseId) {
      workspace.responses.push({ id: responseId, body: JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>, at: Date.now() });
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(String(error));
    });
  });
  const socketMode = new SocketModeServer(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const payloadContext: PayloadContext = {
    teamId: identity.teamId,
    apiAppId: 'A0FAKEAPP',
    botUserId: identity.botUserId,
    issueTrigger: () => workspace.issueTrigger(),
    newResponseUrl: () => {
      responseCounter += 1;
      return `${baseUrl}/response/r${responseCounter}`;
    },
  };

  async function deliver(
    type: EnvelopeType,
    payload: Record<string, unknown>,
    options: EnvelopeOptions & Partial<SignedPostOptions> = {},
  ): Promise<Acknowledged> {
    if (httpTarget) {
      const retry = options.retryAttempt ? { retryNum: options.retryAttempt, retryReason: options.retryReason ?? 'http_timeout' } : {};
      return postSigned(httpTarget.url, type, payload, { ...httpTarget.signing, ...retry, ...options });
    }
    const ack = await socketMode.send(type, payload, options);
    return { elapsedMs: ack.elapsedMs, payload: ack.payload, status: 200 };
  }

  let eventCounter = 0;
  const nextEventId = () => {
    eventCounter += 1;
    return `Ev0FAKE${String(eventCounter).padStart(6, '0')}`;
  };

  return {
    identity,
    workspace,
    socketMode,
    baseUrl,
    apiUrl: `${baseUrl}/api/`,
    apiUrlFor: (label) => `${baseUrl}/client/${encodeURIComponent(label)}/api/`,
    holds,
    rateLimits,
    holdCalls: (rule) => holds.hold(rule),
    get denyFileDownloads() {
      return denyFileDownloads;
    },
    set denyFileDownloads(value: boolean) {
      denyFileDownloads = value;
    },
    failNext(method, error) {
      faults.set(method, [...(faults.get(method) ?? []), error]);
    },
    useHttp(requestUrl, signing) {
      httpTarget = { url: requestUrl, signing };
    },
    deliver,
    async slashCommand(input) {
      const payload = slashCommandPayload(payloadContext, input);
      return { ack: await deliver('slash_commands', payload, input.connectionId === undefined ? {} : { connectionId: input.connectionId }), payload };
    },
    addUserFile: (input) => workspace.addFile(input),
    userMessage: (input) => workspace.addMessage(input),
    sendMessageEvent(message, options = {}) {
      const parent = message.threadTs === undefined ? undefined : workspace.findMessage(message.channel, message.threadTs);
      const event = messageEvent(message, parent);
      const retry = options.retryAttempt === undefined ? {} : { retryAttempt: options.retryAttempt };
      return deliver('events_api', eventCallbackPayload(payloadContext, event, options.eventId ?? nextEventId()), retry);
    },
    sendMentionEvent(message, options = {}) {
      const retry = options.retryAttempt === undefined ? {} : { retryAttempt: options.retryAttempt };
      return deliver('events_api', eventCallbackPayload(payloadContext, appMentionEvent(message), options.eventId ?? nextEventId()), retry);
    },
    clickButton(input) {
      const action = findAction(input.message.blocks, input.actionId);
      if (!action) throw new Error(`message ${input.message.ts} has no button ${input.actionId}`);
      const blockId = (input.message.blocks ?? []).find((block) => findAction([block], input.actionId)) as { block_id?: string } | undefined;
      return deliver(
        'interactive',
        blockActionPayload(payloadContext, {
          userId: input.userId,
          message: input.message,
          action: { ...action, block_id: blockId?.block_id ?? 'actions' },
        }),
        input.connectionId === undefined ? {} : { connectionId: input.connectionId },
      );
    },
    messageShortcut(input) {
      return deliver('interactive', messageShortcutPayload(payloadContext, input));
    },
    submitView(input) {
      return deliver('interactive', viewSubmissionPayload(payloadContext, input));
    },
    async waitFor(check, description, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await check();
        if (value !== undefined && value !== false) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    },
    async close() {
      holds.releaseAll();
      socketMode.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
