// Admission control over the shared line: which waiting jobs may start now, and where the others stand.
import type { QueuePosition } from './job-store.ts';
import type { ProviderId } from './request.ts';

/** A job as admission sees it (every store reads these columns inside its claim transaction). */
export interface AdmissionEntry {
  jobId: string;
  requesterKey: string;
  provider: ProviderId;
}

/** Everything in flight and everything waiting, as one transaction saw it. */
export interface AdmissionSnapshot {
  /** Jobs holding a user slot (claimed, at the provider, or finished and not yet delivered). */
  userActive: ReadonlyMap<string, number>;
  /** Jobs holding a provider slot (claimed to be submitted, or at the provider). */
  providerActive: ReadonlyMap<string, number>;
  /** Waiting jobs, oldest first. */
  waiting: readonly AdmissionEntry[];
}

/** The limits, counted over every process sharing the database. */
export interface AdmissionLimits {
  maxPerUser: number;
  providerLimit(provider: ProviderId): number;
  /** Most jobs to admit in this pass. */
  limit: number;
  /** Only these waiting jobs may be admitted by this process (e.g. its platforms); others still get a place. */
  admissible?(entry: AdmissionEntry): boolean;
}

/** The pass's decision: jobs to lease now, and the place of every job left waiting. */
export interface AdmissionPlan {
  admitted: AdmissionEntry[];
  positions: Map<string, QueuePosition>;
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/**
 * Walks the line in FIFO order, admitting each job whose user and provider are under their
 * limits. A job that cannot start waits behind the same user's earlier jobs when the user is at
 * their limit, otherwise behind earlier jobs for the same provider; that is the place users see.
 * A job a user's own limit holds back never blocks other users' jobs behind it.
 */
export function planAdmission(snapshot: AdmissionSnapshot, limits: AdmissionLimits): AdmissionPlan {
  const userActive = new Map(snapshot.userActive);
  const providerActive = new Map(snapshot.providerActive);
  const admitted: AdmissionEntry[] = [];
  const stillWaiting: AdmissionEntry[] = [];
  for (const entry of snapshot.waiting) {
    const canStart =
      admitted.length < limits.limit
      && (limits.admissible?.(entry) ?? true)
      && (userActive.get(entry.requesterKey) ?? 0) < limits.maxPerUser
      && (providerActive.get(entry.provider) ?? 0) < limits.providerLimit(entry.provider);
    if (canStart) {
      admitted.push(entry);
      increment(userActive, entry.requesterKey);
      increment(providerActive, entry.provider);
    } else {
      stillWaiting.push(entry);
    }
  }
  const seenPerUser = new Map<string, number>();
  const seenPerProvider = new Map<string, number>();
  const positions = new Map<string, QueuePosition>();
  for (const entry of stillWaiting) {
    increment(seenPerUser, entry.requesterKey);
    increment(seenPerProvider, entry.provider);
    const userLimited = (userActive.get(entry.requesterKey) ?? 0) >= limits.maxPerUser;
    positions.set(
      entry.jobId,
      userLimited
        ? { position: seenPerUser.get(entry.requesterKey) ?? 1, reason: 'user_limit' }
        : { position: seenPerProvider.get(entry.provider) ?? 1, reason: 'provider_limit' },
    );
  }
  return { admitted, positions };
}
