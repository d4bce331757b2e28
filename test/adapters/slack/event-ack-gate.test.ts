// The held event ack: Events API deliveries are acked once the handler stored the request, when it is done, or at the deadline.
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { acknowledgeEvent, holdEventAcks } from '../../../src/adapters/slack/event-ack-gate.ts';

/** A receiver as Bolt's are: `init` gets the app, deliveries go to `app.processEvent`. */
class TestReceiver implements Receiver {
  app: App | undefined;
  init(app: App): void {
    this.app = app;
  }
  async start(): Promise<unknown> {
    return undefined;
  }
  async stop(): Promise<unknown> {
    return undefined;
  }
}

/** An app whose `processEvent` does what Bolt's does for events: acks first, then runs the listener with the context. */
function appRunning(listener: (context: Record<string, unknown>) => Promise<void>): App {
  return {
    async processEvent(event: ReceiverEvent) {
      await event.ack();
      await listener({ ...event.customProperties });
    },
  } as unknown as App;
}

/** Delivers `body` through `receiver` and records when the real ack went out. */
function deliver(receiver: TestReceiver, body: Record<string, unknown>): { acks: number[]; done: Promise<void>; startedAt: number } {
  const acks: number[] = [];
  const startedAt = Date.now();
  const event: ReceiverEvent = { body, ack: async () => void acks.push(Date.now() - startedAt) };
  return { acks, startedAt, done: (receiver.app as App).processEvent(event) };
}

const eventBody = { type: 'event_callback', event_id: 'Ev0GATE', event: { type: 'app_mention' } };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('holdEventAcks', () => {
  it('sends the ack when the handler says the request is stored, not when Bolt would (before the listener ran)', async () => {
    const steps: string[] = [];
    const receiver = holdEventAcks(new TestReceiver(), 2000);
    receiver.init(
      appRunning(async (context) => {
        await sleep(50);
        steps.push('stored');
        await acknowledgeEvent(context);
        steps.push('acknowledged');
        await sleep(100);
      }),
    );
    const delivery = deliver(receiver, eventBody);
    await sleep(20);
    expect(delivery.acks).toEqual([]);
    await delivery.done;
    expect(steps).toEqual(['stored', 'acknowledged']);
    expect(delivery.acks).toHaveLength(1);
    expect(delivery.acks[0]).toBeGreaterThanOrEqual(45);
    expect(delivery.acks[0]).toBeLessThan(140);
  });

  it('acks an event the listeners ignore once they are done, and never twice', async () => {
    const receiver = holdEventAcks(new TestReceiver(), 2000);
    receiver.init(appRunning(async () => undefined));
    const delivery = deliver(receiver, eventBody);
    await delivery.done;
    expect(delivery.acks).toHaveLength(1);
  });

  it('acks at the deadline when the handler is still busy', async () => {
    const receiver = holdEventAcks(new TestReceiver(), 100);
    receiver.init(appRunning(async () => void (await sleep(400))));
    const delivery = deliver(receiver, eventBody);
    await sleep(250);
    expect(delivery.acks).toHaveLength(1);
    expect(delivery.acks[0]).toBeGreaterThanOrEqual(95);
    await delivery.done;
    expect(delivery.acks).toHaveLength(1);
  });

  it('leaves commands and interactions to their own handlers (they ack themselves, with a payload)', async () => {
    const receiver = holdEventAcks(new TestReceiver(), 2000);
    let sawAcknowledge = true;
    receiver.init(
      appRunning(async (context) => {
        sawAcknowledge = 'heldEventAck' in context;
      }),
    );
    const delivery = deliver(receiver, { command: '/imagine', text: 'a fox' });
    await delivery.done;
    expect(sawAcknowledge).toBe(false);
    expect(delivery.acks).toHaveLength(1);
  });
});
