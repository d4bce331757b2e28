// The fake gateway: HELLO, heartbeats, IDENTIFY → READY + GUILD_CREATE, then dispatches, over plain JSON frames.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { nextSnowflake } from './ids.ts';
import type { FakeWorld } from './world.ts';

/** GUILD_MESSAGES | MESSAGE_CONTENT etc. as bits, for checks against IDENTIFY. */
export const intentBits = { guilds: 1 << 0, guildMessages: 1 << 9, messageContent: 1 << 15 } as const;

export interface GatewayOptions {
  world: FakeWorld;
  token: string;
  /** Whether the application may use MESSAGE_CONTENT (the portal switch); when not, asking for it closes with 4014. */
  messageContentAllowed: boolean;
  resumeUrl: () => string;
}

interface Session {
  socket: WebSocket;
  intents: number;
  ready: boolean;
}

/** Accepts discord.js shards and sends them events. */
export class FakeGateway {
  private readonly server = new WebSocketServer({ noServer: true });
  private readonly sessions = new Set<Session>();
  private sequence = 0;
  /** Intents of the latest IDENTIFY, for tests. */
  lastIntents: number | undefined;
  /** Resolvers waiting for a session to become ready. */
  private readyWaiters: Array<() => void> = [];

  constructor(private readonly options: GatewayOptions) {
    this.server.on('connection', (socket) => this.accept(socket));
  }

  /** Hands an HTTP upgrade to the WebSocket server. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.server.handleUpgrade(request, socket, head, (webSocket) => this.server.emit('connection', webSocket, request));
  }

  private accept(socket: WebSocket): void {
    const session: Session = { socket, intents: 0, ready: false };
    this.sessions.add(session);
    socket.on('close', () => this.sessions.delete(session));
    socket.on('message', (raw) => this.receive(session, raw.toString()));
    this.send(session, { op: 10, d: { heartbeat_interval: 41_250 } });
  }

  private receive(session: Session, text: string): void {
    const packet = JSON.parse(text) as { op: number; d: Record<string, unknown> | null };
    if (packet.op === 1) {
      this.send(session, { op: 11 });
      return;
    }
    if (packet.op === 2 && packet.d) this.identify(session, packet.d);
  }

  private identify(session: Session, identify: Record<string, unknown>): void {
    if (identify['token'] !== this.options.token && identify['token'] !== `Bot ${this.options.token}`) {
      session.socket.close(4004, 'Authentication failed.');
      return;
    }
    session.intents = Number(identify['intents'] ?? 0);
    this.lastIntents = session.intents;
    if (session.intents & intentBits.messageContent && !this.options.messageContentAllowed) {
      session.socket.close(4014, 'Disallowed intent(s).');
      return;
    }
    const { world } = this.options;
    this.dispatchTo(session, 'READY', {
      v: 10, user: world.botUser, guilds: [{ id: world.guildId, unavailable: true }], session_id: nextSnowflake(),
      resume_gateway_url: this.options.resumeUrl(), shard: [0, 1], application: { id: world.applicationId, flags: 0 },
      user_settings: {}, private_channels: [], relationships: [], presences: [],
    });
    this.dispatchTo(session, 'GUILD_CREATE', world.guildCreate());
    session.ready = true;
    for (const resolve of this.readyWaiters.splice(0)) resolve();
  }

  /** Resolves once a client has identified (or at once when one already has). */
  whenIdentified(): Promise<void> {
    if ([...this.sessions].some((session) => session.ready)) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /**
   * Sends a dispatch to every ready session. `strip` removes what a session without
   * MESSAGE_CONTENT must not see (message events); it receives the payload and the session's intents.
   */
  dispatch(type: string, data: Record<string, unknown>, strip?: (data: Record<string, unknown>, intents: number) => Record<string, unknown>): void {
    for (const session of this.sessions) {
      if (!session.ready) continue;
      this.dispatchTo(session, type, strip ? strip(data, session.intents) : data);
    }
  }

  private dispatchTo(session: Session, type: string, data: Record<string, unknown>): void {
    this.sequence += 1;
    this.send(session, { op: 0, t: type, s: this.sequence, d: data });
  }

  private send(session: Session, packet: Record<string, unknown>): void {
    if (session.socket.readyState === session.socket.OPEN) session.socket.send(JSON.stringify(packet));
  }

  /** Number of open connections (tests check the bot disconnected). */
  get connectionCount(): number {
    return this.sessions.size;
  }

  async close(): Promise<void> {
    for (const session of this.sessions) session.socket.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
