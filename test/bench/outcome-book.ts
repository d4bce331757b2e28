// The benchmark's running tally of how jobs ended, as the bot processes report them, and the wait for the last one.
import type { DeliveryOutcome } from './bench-delivery.ts';
import type { StreamedReport } from './bench-worker-child.ts';

/** A job's end as one process reported it. */
export interface ReportedOutcome {
  outcome: DeliveryOutcome;
  /** The process that ended the job. */
  workerIndex: number;
}

/** Latest status line of one process. */
export interface WorkerStatus {
  polledTasks: number;
  polls: number;
  rssBytes: number;
}

/** The tally; feed it every process's streamed reports. */
export interface OutcomeBook {
  /** The listener for process `workerIndex`'s outcome and status lines. */
  listenerFor(workerIndex: number): (report: StreamedReport) => void;
  /** Every report of each job's end; more than one per job means two processes both ended it. */
  readonly outcomes: ReadonlyMap<string, readonly ReportedOutcome[]>;
  readonly statuses: ReadonlyMap<number, WorkerStatus>;
  /**
   * Resolves true once `expected` distinct jobs have ended, or false once no job has ended for
   * `stallMs` (a job never claimed or never finished must not hang the benchmark).
   */
  whenEnded(expected: number, stallMs: number): Promise<boolean>;
}

/** Creates an empty tally. */
export function createOutcomeBook(): OutcomeBook {
  const outcomes = new Map<string, ReportedOutcome[]>();
  const statuses = new Map<number, WorkerStatus>();
  let lastOutcomeAt = Date.now();
  let onOutcome: () => void = () => {};

  return {
    listenerFor: (workerIndex) => (report) => {
      if (report.type === 'status') {
        statuses.set(workerIndex, { polledTasks: report.polledTasks, polls: report.polls, rssBytes: report.rssBytes });
        return;
      }
      const { type: _type, jobId, ...outcome } = report;
      outcomes.set(jobId, [...(outcomes.get(jobId) ?? []), { outcome, workerIndex }]);
      lastOutcomeAt = Date.now();
      onOutcome();
    },
    outcomes,
    statuses,
    whenEnded(expected, stallMs) {
      lastOutcomeAt = Date.now();
      return new Promise((resolve) => {
        const finish = (allEnded: boolean) => {
          clearInterval(stallCheck);
          onOutcome = () => {};
          resolve(allEnded);
        };
        const stallCheck = setInterval(() => {
          if (Date.now() - lastOutcomeAt > stallMs) finish(false);
        }, 1000);
        onOutcome = () => {
          if (outcomes.size >= expected) finish(true);
        };
        onOutcome();
      });
    },
  };
}
