// A Delivery that records what a platform would have shown, for runner tests without a chat platform.
import type { Delivery, DeliveryReceipt, JobCancelledNotice, JobFailure, JobProgress, JobResult } from '../../src/core/delivery.ts';
import type { Origin, Platform } from '../../src/core/request.ts';

export type RecordedEvent =
  | { kind: 'progress'; at: number; origin: Origin; progress: JobProgress }
  | { kind: 'deliver'; at: number; origin: Origin; result: JobResult }
  | { kind: 'fail'; at: number; origin: Origin; failure: JobFailure }
  | { kind: 'interrupted'; at: number; origin: Origin; prompt: string }
  | { kind: 'cancelled'; at: number; origin: Origin; notice: JobCancelledNotice };

export interface RecordingDelivery extends Delivery {
  readonly events: RecordedEvent[];
  /** Events of one job, in order. */
  eventsOf(jobId: string): RecordedEvent[];
  /** Resolves when `jobId` has been delivered or failed. */
  settled(jobId: string): Promise<RecordedEvent>;
  /** Makes the next `count` deliver calls throw (a platform outage). */
  failNextDeliveries(count: number): void;
}

/** Records every call; `deliver` answers with a fake message id. */
export function createRecordingDelivery(platform: Platform = 'cli'): RecordingDelivery {
  const events: RecordedEvent[] = [];
  const waiters = new Map<string, Array<(event: RecordedEvent) => void>>();
  let failuresLeft = 0;
  let messageCounter = 0;

  function settle(jobId: string, event: RecordedEvent): void {
    for (const resolve of waiters.get(jobId) ?? []) resolve(event);
    waiters.delete(jobId);
  }

  return {
    platform,
    events,
    eventsOf: (jobId) =>
      events.filter((event) =>
        event.kind === 'progress'
          ? event.progress.summary.jobId === jobId
          : event.kind === 'deliver'
            ? event.result.summary.jobId === jobId
            : event.kind === 'fail'
              ? event.failure.summary.jobId === jobId
              : event.kind === 'cancelled' && event.notice.summary.jobId === jobId,
      ),
    settled(jobId) {
      const done = events.find(
        (event) => (event.kind === 'deliver' && event.result.summary.jobId === jobId) || (event.kind === 'fail' && event.failure.summary.jobId === jobId),
      );
      if (done) return Promise.resolve(done);
      return new Promise((resolve) => waiters.set(jobId, [...(waiters.get(jobId) ?? []), resolve]));
    },
    failNextDeliveries(count) {
      failuresLeft = count;
    },
    async progress(origin, progress) {
      events.push({ kind: 'progress', at: Date.now(), origin, progress });
    },
    async deliver(origin, result): Promise<DeliveryReceipt> {
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        throw new Error('platform unavailable (503)');
      }
      const event: RecordedEvent = { kind: 'deliver', at: Date.now(), origin, result };
      events.push(event);
      settle(result.summary.jobId, event);
      messageCounter += 1;
      return { messageId: `message-${messageCounter}` };
    },
    async interrupted(origin, notice) {
      events.push({ kind: 'interrupted', at: Date.now(), origin, prompt: notice.prompt });
    },
    async cancelled(origin, notice) {
      events.push({ kind: 'cancelled', at: Date.now(), origin, notice });
    },
    async fail(origin, failure) {
      const event: RecordedEvent = { kind: 'fail', at: Date.now(), origin, failure };
      events.push(event);
      settle(failure.summary.jobId, event);
    },
  };
}
