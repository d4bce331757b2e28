// LISTEN for other processes' work notifications on one dedicated connection, reconnecting with a backoff when it drops.
import pg from 'pg';
import { connectionConfig, workChannel } from './postgres-connection.ts';

/** The first wait before reconnecting; it doubles while reconnecting keeps failing. */
export const initialBackoffMs = 100;
/** The longest wait between two attempts to reconnect. */
export const maxBackoffMs = 5_000;

/** One LISTEN connection shared by every `watchForWork` subscriber of a store. */
export interface WorkListener {
  /** Calls `onWork` on every notification and once LISTEN is (again) in place; returns the unsubscribe function. */
  subscribe(onWork: () => void): () => void;
  /** Disconnects for good. */
  close(): Promise<void>;
}

/**
 * Builds the listener. The connection is opened with the first subscriber and closed with the last.
 * It cannot come from the pool: LISTEN belongs to a session, and a pooled connection is handed to
 * other queries between uses. After every (re)connection the subscribers are called once, because
 * notifications sent while no LISTEN was active are lost and work may have arrived meanwhile.
 */
export function createWorkListener(connectionString: string): WorkListener {
  const subscribers = new Set<() => void>();
  let client: pg.Client | undefined;
  /** True once `client` is LISTENing (not while it is still connecting). */
  let listening = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let backoffMs = initialBackoffMs;
  let closed = false;

  const tellSubscribers = () => {
    for (const onWork of [...subscribers]) onWork();
  };

  const wanted = () => !closed && subscribers.size > 0;

  const disconnect = (current: pg.Client): Promise<void> => {
    if (client === current) {
      client = undefined;
      listening = false;
    }
    current.removeAllListeners('notification');
    // Errors from a connection being dropped on purpose, or already dead, are of no interest.
    current.on('error', () => {});
    return current.end().catch(() => {});
  };

  const scheduleReconnect = () => {
    if (!wanted() || retryTimer !== undefined || client !== undefined) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, backoffMs);
    backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
  };

  const connect = async () => {
    if (!wanted() || client !== undefined) return;
    const current = new pg.Client(connectionConfig(connectionString));
    client = current;
    const lost = () => {
      if (client !== current) return;
      void disconnect(current);
      scheduleReconnect();
    };
    current.on('error', lost);
    current.on('end', lost);
    current.on('notification', (message) => {
      if (message.channel === workChannel) tellSubscribers();
    });
    try {
      await current.connect();
      await current.query(`LISTEN ${workChannel}`);
    } catch {
      lost();
      return;
    }
    // The last subscriber may have left, or the store closed, while this connection was being set up.
    if (client !== current) return;
    if (!wanted()) {
      void disconnect(current);
      return;
    }
    backoffMs = initialBackoffMs;
    listening = true;
    tellSubscribers();
  };

  const stop = async () => {
    if (retryTimer !== undefined) clearTimeout(retryTimer);
    retryTimer = undefined;
    if (client !== undefined) await disconnect(client);
  };

  return {
    subscribe(onWork) {
      subscribers.add(onWork);
      // A subscriber joining a connection that is listening already gets its first call too, just not synchronously.
      if (listening) setImmediate(() => subscribers.has(onWork) && onWork());
      void connect();
      return () => {
        subscribers.delete(onWork);
        if (subscribers.size === 0) void stop();
      };
    },
    async close() {
      closed = true;
      subscribers.clear();
      await stop();
    },
  };
}
