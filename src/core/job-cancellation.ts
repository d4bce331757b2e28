// The store seam for cancelling a job from any process: the job ends at once, its credits come back, and its holder is fenced out.
import type { JobRecord } from './job-store.ts';

/** What a cancel did. */
export type CancelOutcome =
  /** The job was queued, submitted or running: it is now `failed` with code `cancelled`, and refunded. */
  | { kind: 'cancelled'; job: JobRecord; refunded: number }
  /** The job had already ended or its image was being posted (`succeeded`, `delivered`, `failed`): nothing changed. */
  | { kind: 'finished'; job: JobRecord }
  /** No such job (never existed, or purged by retention). */
  | { kind: 'unknown' };

export interface JobCancellation {
  /**
   * In one transaction: a queued, submitted or running job becomes `failed` with the error
   * `{ code: 'cancelled', message: 'Cancelled by <actorKey>', retryable: false }`, its reservation
   * is refunded (ledger `refund`), its epoch is raised and its lease cleared, so the process that
   * held it can no longer write or deliver it (`lease_lost`). Other states are left as they are.
   */
  cancelJob(jobId: string, actorKey: string, now: number): Promise<CancelOutcome>;
  /**
   * Calls `onCancel` with the ids of jobs any process cancelled, soon after (within about a second):
   * the process holding one stops working on it and never touches its message again. Returns the
   * unsubscribe function.
   */
  watchForCancels(onCancel: (jobIds: string[]) => void): () => void;
}
