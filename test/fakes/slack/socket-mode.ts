// The Socket Mode side of the fake: a WebSocket that says hello, sends envelopes and times each ack.
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
}

/** Redelivery markers of an events_api envelope. */
export interface EnvelopeOptions {
  /** Slack's redelivery counter for events (0 on the first delivery). */
  retryAttempt?: number;
  retryReason?: string;
}

const ackTimeoutMs = 10_000;

/** Accepts the app's Socket Mode connections on `/socket` of an existing HTTP server. */
export class SocketModeServer {
  readonly acks: RecordedAck[] = [];
  /** Connections opened so far (a restarted app opens a new one). */
  connectionCount = 0;
  readonly #server = new WebSocketServer({ noServer: true });
  readonly #waiting = new Map<string, (ack: RecordedAck) => void>();
  readonly #sentAt = new Map<string, { at: number; type: EnvelopeType }>();
  #socket: WebSocket | undefined;
  #nextEnvelope = 0;

  constructor(httpServer: Server) {
    httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!request.url?.startsWith('/socket')) {
        socket.destroy();
        return;
      }
      this.#server.handleUpgrade(request, socket, head, (webSocket) => this.#accept(webSocket));
    });
  }

  #accept(webSocket: WebSocket): void {
    this.connectionCount += 1;
    this.#socket = webSocket;
    webSocket.on('message', (data) => this.#receive(String(data)));
    webSocket.on('close', () => {
      if (this.#socket === webSocket) this.#socket = undefined;
    });
    webSocket.send(
      JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake-slack' }, connection_info: { app_id: 'A0FAKEAPP' } }),
    );
  }

  #receive(text: string): void {
    let message: { envelope_id?: string; payload?: Record<string, unknown> };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    const envelopeId = message.envelope_id;
    const sent = envelopeId === undefined ? undefined : this.#sentAt.get(envelopeId);
    if (envelopeId === undefined || sent === undefined) return;
    const payload = message.payload && Object.keys(message.payload).length > 0 ? message.payload : undefined;
    const ack: RecordedAck = { envelopeId, type: sent.type, elapsedMs: Date.now() - sent.at, payload };
    this.acks.push(ack);
    this.#waiting.get(envelopeId)?.(ack);
    this.#waiting.delete(envelopeId);
  }

  /** True while an app is connected. */
  get connected(): boolean {
    return this.#socket !== undefined && this.#socket.readyState === this.#socket.OPEN;
  }

  /** Sends one envelope to the connected app and resolves with its ack. */
  async send(type: EnvelopeType, payload: Record<string, unknown>, options: EnvelopeOptions = {}): Promise<RecordedAck> {
    const socket = await this.#waitForSocket();
    this.#nextEnvelope += 1;
    const envelopeId = `envelope-${this.#nextEnvelope}-${Math.random().toString(16).slice(2, 10)}`;
    const envelope = {
      envelope_id: envelopeId,
      type,
      payload,
      accepts_response_payload: type !== 'events_api',
      ...(type === 'events_api' ? { retry_attempt: options.retryAttempt ?? 0, retry_reason: options.retryReason ?? '' } : {}),
    };
    const acked = new Promise<RecordedAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(envelopeId);
        reject(new Error(`no ack for ${type} envelope within ${ackTimeoutMs} ms`));
      }, ackTimeoutMs);
      this.#waiting.set(envelopeId, (ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
    });
    this.#sentAt.set(envelopeId, { at: Date.now(), type });
    socket.send(JSON.stringify(envelope));
    return acked;
  }

  async #waitForSocket(): Promise<WebSocket> {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const socket = this.#socket;
      if (socket && socket.readyState === socket.OPEN) return socket;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('no Socket Mode connection to send to');
  }

  /** Closes every connection. */
  close(): void {
    for (const client of this.#server.clients) client.terminate();
    this.#server.close();
  }
}
