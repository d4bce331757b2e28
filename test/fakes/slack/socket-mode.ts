// The Socket Mode side of the fake: up to 10 WebSocket connections per app, each envelope handed to exactly one of them.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

/** The Socket Mode envelope kinds the fake sends. */
export type EnvelopeType = 'slash_commands' | 'events_api' | 'interactive';

/** An acknowledgement as the fake received it. */
export interface RecordedAck {
  envelopeId: string;
  type: EnvelopeType;
  /** Milliseconds between sending the envelope and receiving its ack. */
  elapsedMs: number;
  /** What the app put in the ack (a slash command's ephemeral answer, view errors); undefined when empty. */
  payload: Record<string, unknown> | undefined;
  /** The connection that was sent the envelope and acked it. */
  connectionId: string;
}

/** Redelivery markers of an events_api envelope, and an optional choice of connection. */
export interface EnvelopeOptions {
  /** Slack's redelivery counter for events (0 on the first delivery). */
  retryAttempt?: number;
  retryReason?: string;
  /** Send to this connection instead of the next one in turn (tests that need a particular process). */
  connectionId?: string;
}

/** One accepted Socket Mode connection, open or closed. */
export interface SocketConnection {
  /** `connection-1`, `connection-2`, … in the order they were accepted. */
  id: string;
  /** Who opened it: the label of the API URL its `apps.connections.open` came through (see `FakeSlack.apiUrlFor`). */
  client: string | undefined;
  openedAt: number;
  closedAt: number | undefined;
}

/** Which connection an envelope was handed to. */
export interface EnvelopeDelivery {
  envelopeId: string;
  type: EnvelopeType;
  connectionId: string;
  client: string | undefined;
  payload: Record<string, unknown>;
  at: number;
}

/** A connection attempt turned away because the app already had `maxSocketConnections` open. */
export interface RefusedConnection {
  client: string | undefined;
  at: number;
}

/** Slack's limit of open Socket Mode connections per app (PLATFORMS.md, "Running more than one process"). */
export const maxSocketConnections = 10;

const ackTimeoutMs = 10_000;

interface LiveConnection {
  record: SocketConnection;
  socket: WebSocket;
}

interface PendingAck {
  connectionId: string;
  type: EnvelopeType;
  sentAt: number;
  resolve(ack: RecordedAck): void;
  reject(error: Error): void;
}

/**
 * Accepts the app's Socket Mode connections on `/socket` of an existing HTTP server. Like Slack,
 * it keeps every open connection and gives each envelope to one of them (in turn, oldest first),
 * never to two; an 11th connection gets `{type:'disconnect', reason:'too_many_websockets'}`.
 */
export class SocketModeServer {
  readonly acks: RecordedAck[] = [];
  /** Every connection ever accepted, oldest first (a restarted app opens a new one). */
  readonly connections: SocketConnection[] = [];
  /** Every envelope sent, with the connection it went to. */
  readonly deliveries: EnvelopeDelivery[] = [];
  readonly refused: RefusedConnection[] = [];
  readonly #server = new WebSocketServer({ noServer: true });
  readonly #live = new Map<string, LiveConnection>();
  readonly #pending = new Map<string, PendingAck>();
  #nextEnvelope = 0;
  /** How many envelopes were handed out in turn; picks the next connection. */
  #turn = 0;

  constructor(httpServer: Server) {
    httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(request.url ?? '/', 'http://fake-slack');
      if (url.pathname !== '/socket') {
        socket.destroy();
        return;
      }
      const client = url.searchParams.get('client') ?? undefined;
      this.#server.handleUpgrade(request, socket, head, (webSocket) => this.#accept(webSocket, client));
    });
  }

  /** Connections accepted so far (open or closed). */
  get connectionCount(): number {
    return this.connections.length;
  }

  /** True while at least one app connection is open. */
  get connected(): boolean {
    return this.openConnections().length > 0;
  }

  /** The open connections, oldest first. */
  openConnections(): SocketConnection[] {
    return [...this.#live.values()].filter((live) => isOpen(live.socket)).map((live) => live.record);
  }

  #accept(webSocket: WebSocket, client: string | undefined): void {
    if (this.openConnections().length >= maxSocketConnections) {
      // What Slack does (slackapi/node-slack-sdk#1654): the socket opens, says why, and is closed.
      this.refused.push({ client, at: Date.now() });
      webSocket.send(JSON.stringify({ type: 'disconnect', reason: 'too_many_websockets', debug_info: { host: 'fake-slack' } }));
      webSocket.close();
      return;
    }
    const record: SocketConnection = { id: `connection-${this.connections.length + 1}`, client, openedAt: Date.now(), closedAt: undefined };
    this.connections.push(record);
    this.#live.set(record.id, { record, socket: webSocket });
    webSocket.on('message', (data) => this.#receive(record.id, String(data)));
    webSocket.on('close', () => this.#closed(record));
    webSocket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.openConnections().length,
        debug_info: { host: 'fake-slack' },
        connection_info: { app_id: 'A0FAKEAPP' },
      }),
    );
  }

  #closed(record: SocketConnection): void {
    record.closedAt = Date.now();
    this.#live.delete(record.id);
    // An envelope given to a connection that went away unacked is lost (slash commands are not redelivered).
    for (const [envelopeId, pending] of this.#pending) {
      if (pending.connectionId !== record.id) continue;
      this.#pending.delete(envelopeId);
      pending.reject(new Error(`${record.id} closed before acking ${pending.type} envelope ${envelopeId}`));
    }
  }

  #receive(connectionId: string, text: string): void {
    let message: { envelope_id?: string; payload?: Record<string, unknown> };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    const envelopeId = message.envelope_id;
    const pending = envelopeId === undefined ? undefined : this.#pending.get(envelopeId);
    // Only the connection that was given the envelope can ack it.
    if (envelopeId === undefined || pending === undefined || pending.connectionId !== connectionId) return;
    this.#pending.delete(envelopeId);
    const payload = message.payload && Object.keys(message.payload).length > 0 ? message.payload : undefined;
    const ack: RecordedAck = { envelopeId, type: pending.type, elapsedMs: Date.now() - pending.sentAt, payload, connectionId };
    this.acks.push(ack);
    pending.resolve(ack);
  }

  /** Sends one envelope to one connection (the next in turn, or `options.connectionId`) and resolves with its ack. */
  async send(type: EnvelopeType, payload: Record<string, unknown>, options: EnvelopeOptions = {}): Promise<RecordedAck> {
    const live = await this.#pickConnection(options.connectionId);
    this.#nextEnvelope += 1;
    const envelopeId = `envelope-${this.#nextEnvelope}-${Math.random().toString(16).slice(2, 10)}`;
    const envelope = {
      envelope_id: envelopeId,
      type,
      payload,
      accepts_response_payload: type !== 'events_api',
      ...(type === 'events_api' ? { retry_attempt: options.retryAttempt ?? 0, retry_reason: options.retryReason ?? '' } : {}),
    };
    const sentAt = Date.now();
    const acked = new Promise<RecordedAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(envelopeId);
        reject(new Error(`no ack for ${type} envelope from ${live.record.id} within ${ackTimeoutMs} ms`));
      }, ackTimeoutMs);
      this.#pending.set(envelopeId, {
        connectionId: live.record.id,
        type,
        sentAt,
        resolve: (ack) => {
          clearTimeout(timer);
          resolve(ack);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
    this.deliveries.push({ envelopeId, type, connectionId: live.record.id, client: live.record.client, payload, at: sentAt });
    live.socket.send(JSON.stringify(envelope));
    return acked;
  }

  /** Waits (up to 5 s) for an open connection: the requested one, or the next in turn among the open ones. */
  async #pickConnection(connectionId: string | undefined): Promise<LiveConnection> {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const open = [...this.#live.values()].filter((live) => isOpen(live.socket));
      if (connectionId === undefined && open.length > 0) {
        const chosen = open[this.#turn % open.length] as LiveConnection;
        this.#turn += 1;
        return chosen;
      }
      const requested = open.find((live) => live.record.id === connectionId);
      if (requested) return requested;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(connectionId === undefined ? 'no Socket Mode connection to send to' : `Socket Mode connection ${connectionId} is not open`);
  }

  /**
   * Cuts every open connection without a word, as a network failure would; the fake keeps accepting
   * new ones, so the app reconnects on its own (Bolt waits about 5 s before it tries).
   */
  dropConnections(): number {
    const open = [...this.#live.values()].filter((live) => isOpen(live.socket));
    for (const live of open) live.socket.terminate();
    return open.length;
  }

  /** Closes every connection. */
  close(): void {
    for (const client of this.#server.clients) client.terminate();
    this.#server.close();
  }
}

function isOpen(socket: WebSocket): boolean {
  return socket.readyState === socket.OPEN;
}
