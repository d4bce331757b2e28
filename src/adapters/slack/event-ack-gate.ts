// Holds Bolt's automatic ack of Events API deliveries until the handler has recorded the request: persist, then acknowledge.
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';

/** The context key under which a handler finds the held ack (Bolt copies `customProperties` into the context). */
const acknowledgeKey = 'heldEventAck';

function isEventCallback(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { type?: unknown }).type === 'event_callback';
}

/**
 * Bolt acks an event before any listener runs, so a process dying between that ack and the listener's
 * first write would lose the request: Slack does not send an acknowledged event again. This hands Bolt
 * a no-op ack instead and sends the real one when the handler calls `acknowledgeEvent` (right after the
 * intake is stored), when every listener is done (events the bot ignores), or at `deadlineMs`, inside
 * Slack's 3 seconds, whichever comes first. An event whose process dies unacknowledged is redelivered.
 */
export function holdEventAcks<R extends Receiver>(receiver: R, deadlineMs: number): R {
  const init = receiver.init.bind(receiver);
  receiver.init = (app: App) => init(withHeldEventAcks(app, deadlineMs));
  return receiver;
}

function withHeldEventAcks(app: App, deadlineMs: number): App {
  async function processEvent(event: ReceiverEvent): Promise<void> {
    if (!isEventCallback(event.body)) return app.processEvent(event);
    let sent: Promise<void> | undefined;
    const acknowledge = (): Promise<void> => (sent ??= event.ack());
    const timer = setTimeout(() => void acknowledge().catch(() => undefined), deadlineMs);
    const held: ReceiverEvent = {
      ...event,
      ack: async () => undefined,
      customProperties: { ...event.customProperties, [acknowledgeKey]: acknowledge },
    };
    try {
      await app.processEvent(held);
    } finally {
      clearTimeout(timer);
    }
    // Listeners that never stored anything (events the bot ignores) are acked once they are done.
    await acknowledge();
  }
  // The receiver only ever calls `processEvent`; everything else is the app itself.
  return Object.assign(Object.create(app) as App, { processEvent });
}

/** Sends the held ack of the event being handled (see `holdEventAcks`); a no-op for anything else. */
export async function acknowledgeEvent(context: Record<string, unknown>): Promise<void> {
  const acknowledge = context[acknowledgeKey];
  if (typeof acknowledge === 'function') await (acknowledge as () => Promise<void>)();
}
