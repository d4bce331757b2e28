// Keeps the jobs-in-flight figure right for one job: each move reported once, and the job let go exactly once.
import type { BotMetrics, InFlightState } from './bot-metrics.ts';
import type { JobState } from './job-store.ts';

/** One held job's place in the in-flight figure. */
export interface InFlightTracker {
  /** The job is now in `state` (no report when it already was). */
  moveTo(state: InFlightState): void;
  /** The job is no longer held here (finished, handed over or stopping); later calls do nothing. */
  release(): void;
}

const inFlightStates: ReadonlySet<JobState> = new Set<JobState>(['queued', 'submitted', 'running', 'succeeded']);

/** Starts counting a job claimed in `claimedState` (final states are never claimed, so they count nowhere). */
export function trackInFlight(metrics: Pick<BotMetrics, 'jobStateChanged'>, claimedState: JobState): InFlightTracker {
  let current = inFlightStates.has(claimedState) ? (claimedState as InFlightState) : undefined;
  let released = false;
  if (current !== undefined) metrics.jobStateChanged(undefined, current);
  return {
    moveTo(state) {
      if (released || state === current) return;
      metrics.jobStateChanged(current, state);
      current = state;
    },
    release() {
      if (released) return;
      released = true;
      if (current !== undefined) metrics.jobStateChanged(current, undefined);
      current = undefined;
    },
  };
}
