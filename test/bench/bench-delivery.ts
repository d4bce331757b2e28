// The benchmark's Delivery: a platform-neutral recorder that notes when each job ended and drops the image bytes.
import type { Delivery, DeliveryReceipt } from '../../src/core/delivery.ts';

/** How one job ended, as the platform would have seen it. */
export interface DeliveryOutcome {
  kind: 'delivered' | 'failed';
  at: number;
  /** Bytes of the delivered image (0 for failures): proves the download happened without keeping it. */
  imageBytes: number;
  /** The failure's code, for the report. */
  errorCode?: string;
}

/** The recorder with what it noted. */
export interface BenchDelivery extends Delivery {
  /** Outcome by job id. */
  readonly outcomes: ReadonlyMap<string, DeliveryOutcome>;
  /** Progress calls received (they are throttled by the runner). */
  readonly progressCalls: number;
  /** Of those, queue-place updates (phase `queued` with a place): sent by claim passes, not throttled per job. */
  readonly queuePlaceCalls: number;
}

/** Creates the recorder for platform `cli`; `onOutcome` hears of each outcome as it is noted (a bot process passes it on to the benchmark). */
export function createBenchDelivery(onOutcome?: (jobId: string, outcome: DeliveryOutcome) => void): BenchDelivery {
  const outcomes = new Map<string, DeliveryOutcome>();
  let progressCalls = 0;
  let queuePlaceCalls = 0;
  let messageCounter = 0;
  const note = (jobId: string, outcome: DeliveryOutcome) => {
    outcomes.set(jobId, outcome);
    onOutcome?.(jobId, outcome);
  };
  return {
    platform: 'cli',
    outcomes,
    get progressCalls() {
      return progressCalls;
    },
    get queuePlaceCalls() {
      return queuePlaceCalls;
    },
    async progress(_origin, progress) {
      progressCalls += 1;
      if (progress.phase === 'queued' && progress.queuePosition !== undefined) queuePlaceCalls += 1;
    },
    async deliver(_origin, result): Promise<DeliveryReceipt> {
      // Only the size is kept: holding a thousand 2 MB images would measure the recorder, not the bot.
      note(result.summary.jobId, { kind: 'delivered', at: Date.now(), imageBytes: result.image.data.byteLength });
      messageCounter += 1;
      return { messageId: `bench-${process.pid}-${messageCounter}` };
    },
    async cancelled() {
      // The benchmark cancels nothing.
    },
    async fail(_origin, failure) {
      note(failure.summary.jobId, { kind: 'failed', at: Date.now(), imageBytes: 0, errorCode: failure.error.code });
    },
  };
}
