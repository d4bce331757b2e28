// Test helper: lease waiting jobs the way a process does, to drive the fenced state machine directly.
import type { JobLease, JobStore } from '../../src/core/job-store.ts';
import { platforms } from '../../src/core/request.ts';

/** Leases every waiting job (no caps) to `owner` and returns the leases by job id. */
export async function leaseWaitingJobs(store: Pick<JobStore, 'claimJobs'>, now: number, owner = 'test-process'): Promise<Map<string, JobLease>> {
  const outcome = await store.claimJobs({
    owner,
    now,
    leaseMs: 60_000,
    maxPerUser: Number.MAX_SAFE_INTEGER,
    providerLimit: () => Number.MAX_SAFE_INTEGER,
    platforms,
    limit: 10_000,
  });
  return new Map(outcome.claimed.map((claimed) => [claimed.job.id, claimed.lease]));
}

/** The lease of `jobId` after leasing every waiting job; throws when it was not waiting. */
export async function leaseJob(store: Pick<JobStore, 'claimJobs'>, jobId: string, now: number, owner?: string): Promise<JobLease> {
  const lease = (await leaseWaitingJobs(store, now, owner)).get(jobId);
  if (lease === undefined) throw new Error(`job ${jobId} was not waiting to be leased`);
  return lease;
}
