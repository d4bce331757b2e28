// The store seam for intakes: requests already acknowledged on their platform that are not jobs yet.
import type { Origin, Platform } from './request.ts';

/**
 * A request the platform was already answered for ("thinking…") that is not a job yet: recorded
 * before the acknowledgement with everything needed to finish it, so that if the process dies
 * before the job is created, whoever takes the intake over finishes the request.
 */
export interface Intake {
  dedupeKey: string;
  origin: Origin;
  /** What the user asked, to remind them in the message that ends it when it cannot be finished. */
  prompt: string;
  /**
   * The adapter's own record of the request (command options, attachment ids/URLs, the pending
   * message): JSON the same adapter reads back to finish it. Undefined when it cannot be resumed.
   */
  payload?: unknown;
  createdAt: number;
}

/** An intake this process holds the lease of (see `JobLease`). */
export interface ClaimedIntake {
  intake: Intake;
  lease: IntakeLease;
}

/** A process's claim on an intake; fenced like a job lease. */
export interface IntakeLease {
  dedupeKey: string;
  owner: string;
  epoch: number;
}

/** Intakes in the shared store. A job created with the same dedupe key removes its intake in the same transaction. */
export interface IntakeStore {
  /**
   * Records an intake leased to `owner` until `now + leaseMs`; false when a job or an intake with
   * this key already exists (a retried event). The lease is renewed with `renewLeases`.
   */
  recordIntake(intake: Intake, lease: { owner: string; now: number; leaseMs: number }): Promise<IntakeLease | undefined>;
  /** Forgets an intake (the request was answered without a job). Unknown keys are ignored. */
  clearIntake(dedupeKey: string): Promise<void>;
  /** Takes over intakes of `platforms` whose lease expired (their process died), oldest first. */
  claimIntakes(request: { owner: string; now: number; leaseMs: number; platforms: readonly Platform[]; limit: number }): Promise<ClaimedIntake[]>;
  /** Every intake, oldest first (operators and tests). */
  listIntakes(): Promise<Intake[]>;
}
