// The leases this process holds (jobs and intakes): renewed on a timer, given up on stop, and checked before every side effect.
import type { Logger } from '../log.ts';
import type { Clock } from './clock.ts';
import { BotError } from './errors.ts';
import type { IntakeLease, JobLease, JobStore } from './job-store.ts';

type AnyLease = JobLease | IntakeLease;

interface HeldLease {
  lease: AnyLease;
  /** Local time at which the last successful renewal was sent: the lease is sure to last `leaseMs` from then. */
  renewedAt: number;
  /** Aborted when the lease is lost, so the work stops at its next await. */
  controller: AbortController;
}

/** Holds, renews and fences this process's leases. */
export interface LeaseKeeper {
  /** Starts keeping `lease`, taken at local time `takenAt`; returns the signal aborted if it is lost. */
  hold(lease: AnyLease, takenAt: number): AbortSignal;
  /** Stops keeping the lease of `id` (a job id or an intake dedupe key); its work is over. */
  forget(id: string): void;
  /**
   * True while this process may still act for `id`: the lease is held and its last renewal is
   * recent enough that no other process can have taken it over. A process that was paused (SIGSTOP,
   * a long GC, a VM migration) past its lease finds this false before it touches anything.
   */
  holds(id: string): boolean;
  /** Gives up `id` at once because its job was cancelled: its signal aborts with `lease_lost`. Unknown ids are ignored. */
  drop(id: string): void;
  /** Throws `lease_lost` when `holds(id)` is false. */
  assertHolds(id: string): void;
  /** Every lease currently held. */
  allLeases(): AnyLease[];
  /** How many leases are held. */
  readonly size: number;
  /** Renews every held lease once (also run by the timer); lost ones are aborted and forgotten. */
  renew(): Promise<void>;
  /** Stops the timer and gives `leases` back (default: every one held) so another process continues at once. */
  release(leases?: readonly AnyLease[]): Promise<void>;
}

export interface LeaseKeeperOptions {
  store: Pick<JobStore, 'renewLeases' | 'releaseLeases'>;
  owner: string;
  leaseMs: number;
  clock: Clock;
  logger: Logger;
}

function idOf(lease: AnyLease): string {
  return 'jobId' in lease ? lease.jobId : lease.dedupeKey;
}

/**
 * Renews every `leaseMs / 3`, so two renewals can fail (a slow database) before a lease runs out.
 * A lease counts as held locally only until `renewedAt + leaseMs - margin`: the margin covers clock
 * drift between hosts and the time a renewal takes to reach the database.
 */
export function createLeaseKeeper(options: LeaseKeeperOptions): LeaseKeeper {
  const { store, owner, leaseMs, clock, logger } = options;
  const held = new Map<string, HeldLease>();
  const safetyMarginMs = Math.min(2000, leaseMs / 5);
  let renewing: Promise<void> | undefined;

  function lose(id: string, entry: HeldLease): void {
    held.delete(id);
    entry.controller.abort(new BotError('lease_lost', `Lease on ${id} was lost to another process`));
  }

  async function renewOnce(): Promise<void> {
    if (held.size === 0) return;
    const sentAt = clock.now();
    const entries = [...held.entries()];
    let still: Set<string>;
    try {
      still = await store.renewLeases(owner, entries.map(([, entry]) => entry.lease), sentAt, leaseMs);
    } catch (error) {
      logger.warn({ err: error }, 'could not renew leases; will retry');
      return;
    }
    for (const [id, entry] of entries) {
      if (held.get(id) !== entry) continue;
      if (still.has(id)) entry.renewedAt = Math.max(entry.renewedAt, sentAt);
      else {
        logger.warn({ id }, 'lease lost to another process; stopping work on it');
        lose(id, entry);
      }
    }
  }

  const timer = setInterval(() => void keeper.renew(), Math.max(50, Math.floor(leaseMs / 3)));
  timer.unref();

  const keeper: LeaseKeeper = {
    hold(lease, takenAt) {
      const controller = new AbortController();
      held.set(idOf(lease), { lease, renewedAt: takenAt, controller });
      return controller.signal;
    },
    forget(id) {
      held.delete(id);
    },
    holds(id) {
      const entry = held.get(id);
      if (entry === undefined) return false;
      if (clock.now() < entry.renewedAt + leaseMs - safetyMarginMs) return true;
      lose(id, entry);
      return false;
    },
    drop(id) {
      const entry = held.get(id);
      if (entry !== undefined) lose(id, entry);
    },
    assertHolds(id) {
      if (!keeper.holds(id)) throw new BotError('lease_lost', `This process no longer holds the lease on ${id}`);
    },
    allLeases: () => [...held.values()].map((entry) => entry.lease),
    get size() {
      return held.size;
    },
    renew() {
      renewing ??= renewOnce().finally(() => {
        renewing = undefined;
      });
      return renewing;
    },
    async release(leases = keeper.allLeases()) {
      clearInterval(timer);
      held.clear();
      if (leases.length === 0) return;
      try {
        await store.releaseLeases(leases, clock.now());
      } catch (error) {
        logger.warn({ err: error }, 'could not release leases; they expire on their own');
      }
    },
  };
  return keeper;
}
