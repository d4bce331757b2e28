// Finds the job a user means: its full id, or the first characters of one of their own latest jobs (as the history shows them).
import type { JobHistory } from './job-history.ts';
import type { JobRecord, JobStore } from './job-store.ts';

/** Shortest prefix accepted: the history shows eight characters, six still tell a user's jobs apart. */
export const minimumReferenceLength = 6;

/** Own jobs searched for a prefix: as many as the history can list. */
const searchedJobs = 25;

/** The job `reference` names: an exact id first, else the newest of `requesterKey`'s latest jobs whose id starts with it. */
export async function findJobByReference(
  store: Pick<JobStore, 'get'> & JobHistory,
  reference: string,
  requesterKey: string,
): Promise<JobRecord | undefined> {
  const given = reference.trim();
  if (given === '') return undefined;
  const exact = await store.get(given);
  if (exact !== undefined) return exact;
  const trimmed = given.toLowerCase();
  if (trimmed.length < minimumReferenceLength) return undefined;
  const own = await store.recentJobsOf(requesterKey, searchedJobs);
  const match = own.find((job) => job.id.startsWith(trimmed));
  // The listing leaves reference bytes out; a Reroll of the found job needs them.
  return match === undefined ? undefined : store.get(match.id);
}
