// A requester's recent jobs as the history listing (`/jobs`, `/imagine jobs`) shows them.
import type { ErrorCode } from './errors.ts';
import type { JobRecord, JobState } from './job-store.ts';
import type { Origin, Requester } from './request.ts';
import { requesterKey } from './imagine-service.ts';

/** The store read behind the listing. */
export interface JobHistory {
  /**
   * `requesterKey`'s latest jobs, newest first, at most `limit` (only jobs still within retention).
   * A listing: references come without their bytes (`get` reads a job whole).
   */
  recentJobsOf(requesterKey: string, limit: number): Promise<JobRecord[]>;
}

/** Where a job stands, in the words users see: the store's finer states collapse into these four. */
export type HistoryPhase = 'queued' | 'generating' | 'delivered' | 'failed';

/** One line of the listing, ready for an adapter to render. */
export interface JobHistoryEntry {
  /** The full job id (what buttons and the admin CLI use). */
  jobId: string;
  /** The first characters of the id, enough to tell a user's jobs apart at a glance. */
  shortId: string;
  phase: HistoryPhase;
  /** Why it failed; null unless `phase` is `failed`. */
  failureCode: ErrorCode | null;
  /** The prompt as submitted, unescaped: each adapter escapes it for its own markup. */
  prompt: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** Where the job was requested (its channel, server/workspace): the delivered image's link is built from it. */
  origin: Origin;
  /** The platform's id of the posted result message; null until delivered. */
  deliveredMessageId: string | null;
}

/** Jobs listed when the caller names no limit. */
export const defaultHistoryLimit = 10;

/** A listing is read on every command, so it stays small whatever the caller asks. */
const maximumHistoryLimit = 25;

/** Characters of the id shown; a UUID's first eight are unique among one user's few recent jobs. */
const shortIdLength = 8;

/** The user-facing phase of a stored state: `succeeded` is still "generating" until the image is posted. */
function phaseOf(state: JobState): HistoryPhase {
  if (state === 'queued') return 'queued';
  if (state === 'delivered') return 'delivered';
  if (state === 'failed') return 'failed';
  return 'generating';
}

/** The listing line of a stored job. */
export function toHistoryEntry(job: JobRecord): JobHistoryEntry {
  const phase = phaseOf(job.state);
  return {
    jobId: job.id,
    shortId: job.id.slice(0, shortIdLength),
    phase,
    failureCode: phase === 'failed' ? (job.error?.code ?? 'internal') : null,
    prompt: job.request.prompt,
    createdAt: job.createdAt,
    origin: job.origin,
    deliveredMessageId: phase === 'delivered' ? job.deliveredMessageId : null,
  };
}

/** `requester`'s latest jobs, newest first, as listing lines (what `ImagineService.recentJobs` returns). */
export async function recentJobsFor(store: JobHistory, requester: Requester, limit = defaultHistoryLimit): Promise<JobHistoryEntry[]> {
  const bounded = Math.min(Math.max(Math.trunc(limit), 1), maximumHistoryLimit);
  const jobs = await store.recentJobsOf(requesterKey(requester), bounded);
  return jobs.map(toHistoryEntry);
}
