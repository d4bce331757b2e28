// The fake gateway: HELLO, heartbeats, IDENTIFY → READY + GUILD_CREATE per shard, then dispatches routed to each guild's shard, over plain JSON frames.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { nextSnowflake } from './ids.ts';
import { shardOf, shardOfIdentify, type ShardPair } from './shards.ts';
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
  /** The shard this connection identified as; it receives only the events of that shard's guilds. */
  shard: ShardPair;
  /** Discord numbers dispatches per session. */
  sequence: number;
}

/** One IDENTIFY the gateway accepted, for tests checking how a client spread its shards over time. */
export interface IdentifyRecord {
  shard: ShardPair;
  intents: number;
  at: number;
}

/** Accepts discord.js shards (one connection each, from any number of processes) and sends them their guilds' events. */
export class FakeGateway {
  private readonly server = new WebSocketServer({ noServer: true });
  private readonly sessions = new Set<Session>();
  /** Intents of the latest IDENTIFY, for tests. */
  lastIntents: number | undefined;
  /** Every accepted IDENTIFY, oldest first. */
  readonly identifies: IdentifyRecord[] = [];
  /** Resolvers waiting for a session to become ready. */
  private readyWaiters: Array<() => void> = [];
  /** IDENTIFYs waiting while `holdIdentifies` is on (undefined when it is off). */
  private heldIdentifies: Array<() => void> | undefined;

  constructor(private readonly options: GatewayOptions) {
    this.server.on('connection', (socket) => this.accept(socket));
  }

  /** Hands an HTTP upgrade to the WebSocket server. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.server.handleUpgrade(request, socket, head, (webSocket) => this.server.emit('connection', webSocket, request));
  }

  private accept(socket: WebSocket): void {
    const session: Session = { socket, intents: 0, ready: false, shard: [0, 1], sequence: 0 };
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
    if (packet.op === 2 && packet.d) {
      const identify = packet.d;
      if (this.heldIdentifies) this.heldIdentifies.push(() => this.identify(session, identify));
      else this.identify(session, identify);
    }
    // RESUME is not kept: like Discord after a long outage, the session is invalid and must identify again.
    if (packet.op === 6) this.send(session, { op: 9, d: false });
  }

  private identify(session: Session, identify: Record<string, unknown>): void {
    if (identify['token'] !== this.options.token && identify['token'] !== `Bot ${this.options.token}`) {
      session.socket.close(4004, 'Authentication failed.');
      return;
    }
    const shard = shardOfIdentify(identify);
    if (!shard) {
      session.socket.close(4010, 'Invalid shard.');
      return;
    }
    session.shard = shard;
    session.intents = Number(identify['intents'] ?? 0);
    this.lastIntents = session.intents;
    if (session.intents & intentBits.messageContent && !this.options.messageContentAllowed) {
      session.socket.close(4014, 'Disallowed intent(s).');
      return;
    }
    this.identifies.push({ shard, intents: session.intents, at: Date.now() });
    const { world } = this.options;
    const guildIds = world.guildIds().filter((guildId) => this.holds(session, guildId));
    this.dispatchTo(session, 'READY', {
      v: 10, user: world.botUser, guilds: guildIds.map((id) => ({ id, unavailable: true })), session_id: nextSnowflake(),
      resume_gateway_url: this.options.resumeUrl(), shard, application: { id: world.applicationId, flags: 0 },
      user_settings: {}, private_channels: [], relationships: [], presences: [],
    });
    for (const guildId of guildIds) this.dispatchTo(session, 'GUILD_CREATE', world.guildCreate(guildId));
    session.ready = true;
    for (const resolve of this.readyWaiters.splice(0)) resolve();
  }

  /** Whether `session`'s shard receives the events of `guildId` (undefined: a DM, shard 0). */
  private holds(session: Session, guildId: string | undefined): boolean {
    const [shardId, count] = session.shard;
    return shardOf(guildId, count) === shardId;
  }

  /** Resolves once `connections` clients (shards) have identified, at once when they already have. */
  async whenIdentified(connections = 1): Promise<void> {
    while (this.readyShards().length < connections) await new Promise<void>((resolve) => this.readyWaiters.push(resolve));
  }

  /** The shards of the connections that are ready now (one entry per connection). */
  readyShards(): ShardPair[] {
    return [...this.sessions].filter((session) => session.ready).map((session) => session.shard);
  }

  /** Tells the connection holding a newly joined guild about it, as Discord does when the bot is added to a server. */
  announceGuild(guildId: string): number[] {
    return this.dispatch('GUILD_CREATE', this.options.world.guildCreate(guildId));
  }

  /**
   * Sends a dispatch to every ready session holding the shard of `data.guild_id` (shard 0 without one)
   * and returns those sessions' shard ids. Two connections on one shard both get it, like two copies of
   * a bot started with the same token. `strip` removes what a session without MESSAGE_CONTENT must not
   * see (message events); it receives the payload and the session's intents.
   */
  dispatch(type: string, data: Record<string, unknown>, strip?: (data: Record<string, unknown>, intents: number) => Record<string, unknown>): number[] {
    // GUILD_CREATE names its guild `id`; every other guild event carries `guild_id`.
    const guildId = typeof data['guild_id'] === 'string' ? data['guild_id'] : type === 'GUILD_CREATE' ? String(data['id']) : undefined;
    const reached: number[] = [];
    for (const session of this.sessions) {
      if (!session.ready || !this.holds(session, guildId)) continue;
      this.dispatchTo(session, type, strip ? strip(data, session.intents) : data);
      reached.push(session.shard[0]);
    }
    return reached;
  }

  private dispatchTo(session: Session, type: string, data: Record<string, unknown>): void {
    session.sequence += 1;
    this.send(session, { op: 0, t: type, s: session.sequence, d: data });
  }

  private send(session: Session, packet: Record<string, unknown>): void {
    if (session.socket.readyState === session.socket.OPEN) session.socket.send(JSON.stringify(packet));
  }

  /**
   * Leaves IDENTIFYs unanswered (the connection stays open, heartbeats are acknowledged) until the
   * returned function is called, which answers them: a client stays "connecting" as long as a test needs.
   * Keep it under discord.js's 15 s wait for READY.
   */
  holdIdentifies(): () => void {
    this.heldIdentifies ??= [];
    return () => {
      const waiting = this.heldIdentifies ?? [];
      this.heldIdentifies = undefined;
      for (const answer of waiting) answer();
    };
  }

  /** Cuts every connection without a close frame, as a network failure would; clients reconnect and identify again. */
  dropConnections(): number {
    const dropped = this.sessions.size;
    for (const session of this.sessions) session.socket.terminate();
    return dropped;
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
