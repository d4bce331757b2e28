// Whether the Socket Mode connection is open: followed from the client's lifecycle events, as it reconnects on its own.
import type { SocketModeReceiver } from '@slack/bolt';

/** Bolt's Socket Mode client (typed through Bolt, which depends on @slack/socket-mode). */
type SocketModeClient = SocketModeReceiver['client'];

/**
 * Follows `client` from now on and returns a check: undefined while connected (Slack said hello),
 * otherwise why not. Closing, reconnecting and disconnecting all count as not connected: envelopes
 * cannot arrive then.
 */
export function watchSocketMode(client: SocketModeClient): () => string | undefined {
  let problem: string | undefined = 'socket not connected';
  client.on('connected', () => {
    problem = undefined;
  });
  for (const event of ['close', 'disconnecting', 'disconnected']) {
    client.on(event, () => {
      problem = 'socket not connected';
    });
  }
  client.on('reconnecting', () => {
    problem = 'socket reconnecting';
  });
  return () => problem;
}
