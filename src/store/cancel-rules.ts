// What cancelling a job means for both stores: which states may be cancelled, the error it ends with, and how long cancels are kept for watchers.
import type { SerializedError } from '../core/errors.ts';
import type { JobState } from '../core/job-store.ts';

/** States a cancel ends; a succeeded job's image is being posted already, so it is left to finish. */
export const cancellableStates: readonly JobState[] = ['queued', 'submitted', 'running'];

/** How long a `job_cancels` row is kept: watchers poll every second at most, so an hour is far more than any needs. */
export const cancelRetentionMs = 3_600_000;

/** The error a cancelled job ends with; not retryable, so no "Try again" is offered for it. */
export function cancelledError(actorKey: string): SerializedError {
  return { code: 'cancelled', message: `Cancelled by ${actorKey}`, retryable: false };
}
