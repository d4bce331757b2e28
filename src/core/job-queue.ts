// Admission control: at most N jobs per user and M per provider in flight; the rest wait in FIFO order.
import type { ProviderId } from './request.ts';

export interface QueueEntry {
  jobId: string;
  requesterKey: string;
  provider: ProviderId;
}

export interface QueueLimits {
  /** Jobs one user may have in flight. */
  maxPerUser: number;
  /** Provider slots: a job holds one from submit until the provider is done with it. */
  maxInFlightForProvider: (provider: ProviderId) => number;
}

export interface QueuePosition {
  /** 1-based place among the jobs waiting for the same thing. */
  position: number;
  reason: 'user_limit' | 'provider_limit';
}

function increment(counts: Map<string, number>, key: string, delta: number): void {
  const next = (counts.get(key) ?? 0) + delta;
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
}

/**
 * In-memory admission state, rebuilt from SQLite on start (the store is the truth; this only
 * decides who goes next). A job holds a user slot until it is delivered or failed, and a provider
 * slot only while the provider works on it, so slow uploads never block the provider queue.
 */
export class JobQueue {
  private waiting: QueueEntry[] = [];
  private readonly userActive = new Map<string, number>();
  private readonly providerActive = new Map<string, number>();
  private readonly holdsUserSlot = new Map<string, QueueEntry>();
  private readonly holdsProviderSlot = new Map<string, QueueEntry>();

  constructor(private readonly limits: QueueLimits) {}

  /** Adds a job at the back of the line. */
  enqueue(entry: QueueEntry): void {
    this.waiting.push(entry);
  }

  /** Records a job that is already in flight (restored after a restart), taking both slots. */
  markActive(entry: QueueEntry, holdsProviderSlot = true): void {
    if (!this.holdsUserSlot.has(entry.jobId)) {
      this.holdsUserSlot.set(entry.jobId, entry);
      increment(this.userActive, entry.requesterKey, 1);
    }
    if (holdsProviderSlot && !this.holdsProviderSlot.has(entry.jobId)) {
      this.holdsProviderSlot.set(entry.jobId, entry);
      increment(this.providerActive, entry.provider, 1);
    }
  }

  /** Frees the job's provider slot (its provider work is over). */
  releaseProvider(jobId: string): void {
    const entry = this.holdsProviderSlot.get(jobId);
    if (!entry) return;
    this.holdsProviderSlot.delete(jobId);
    increment(this.providerActive, entry.provider, -1);
  }

  /** Frees every slot the job holds and drops it from the line (it is finished). */
  release(jobId: string): void {
    this.releaseProvider(jobId);
    const entry = this.holdsUserSlot.get(jobId);
    if (entry) {
      this.holdsUserSlot.delete(jobId);
      increment(this.userActive, entry.requesterKey, -1);
    }
    this.waiting = this.waiting.filter((candidate) => candidate.jobId !== jobId);
  }

  private canStart(entry: QueueEntry): boolean {
    return (
      (this.userActive.get(entry.requesterKey) ?? 0) < this.limits.maxPerUser &&
      (this.providerActive.get(entry.provider) ?? 0) < this.limits.maxInFlightForProvider(entry.provider)
    );
  }

  /** Moves every waiting job that may start now into flight, in FIFO order, and returns them. */
  admit(): QueueEntry[] {
    const admitted: QueueEntry[] = [];
    const stillWaiting: QueueEntry[] = [];
    for (const entry of this.waiting) {
      if (this.canStart(entry)) {
        this.markActive(entry);
        admitted.push(entry);
      } else {
        stillWaiting.push(entry);
      }
    }
    this.waiting = stillWaiting;
    return admitted;
  }

  /** Where a waiting job stands, or undefined when it is not waiting. */
  position(jobId: string): QueuePosition | undefined {
    return this.positions().get(jobId);
  }

  /**
   * Every waiting job's place, in one pass: a job waits behind the same user's earlier jobs when the
   * user is at their limit, otherwise behind earlier jobs for the same provider.
   */
  positions(): Map<string, QueuePosition> {
    const seenPerUser = new Map<string, number>();
    const seenPerProvider = new Map<string, number>();
    const result = new Map<string, QueuePosition>();
    for (const entry of this.waiting) {
      const userPlace = (seenPerUser.get(entry.requesterKey) ?? 0) + 1;
      const providerPlace = (seenPerProvider.get(entry.provider) ?? 0) + 1;
      seenPerUser.set(entry.requesterKey, userPlace);
      seenPerProvider.set(entry.provider, providerPlace);
      const userLimited = (this.userActive.get(entry.requesterKey) ?? 0) >= this.limits.maxPerUser;
      result.set(entry.jobId, userLimited ? { position: userPlace, reason: 'user_limit' } : { position: providerPlace, reason: 'provider_limit' });
    }
    return result;
  }

  /** Jobs waiting to start. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** Jobs holding a user slot (in flight or delivering). */
  get activeCount(): number {
    return this.holdsUserSlot.size;
  }
}
