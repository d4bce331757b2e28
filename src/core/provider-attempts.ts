// One entry of a job's provider history: which provider was tried (or passed over) for its create call, and why it did or did not take it.
import type { ProviderId } from './request.ts';

/** How one provider fared with a job's create call. */
export type AttemptOutcome =
  /** It took the task; the job's provider is this one. */
  | 'accepted'
  /** It demonstrably did not take the task (refused key, no balance, rate limit, documented pre-task error, unreachable). */
  | 'not_accepted'
  /** It failed in a way that may have created a task: the job ends here, nothing else is tried. */
  | 'failed'
  /** It was not called: cooling down, unable to serve the request as validated, or at its in-flight cap. */
  | 'skipped';

/** Why a provider was passed over without a call. */
export type SkipReason = 'cooling_down' | 'cannot_serve' | 'at_capacity';

/** One provider tried or passed over for a job, in the order they were considered. */
export interface ProviderAttempt {
  provider: ProviderId;
  /** The model it was (or would have been) asked for; unset when no model of its could serve the request. */
  model?: string;
  outcome: AttemptOutcome;
  /** The error code (`provider_billing`, …) for `not_accepted` and `failed`, the skip reason for `skipped`. */
  code?: string;
  /** Operator-readable detail: the provider's error message, or what it cannot do. */
  reason?: string;
  /** When it was decided (ms since epoch). */
  at: number;
}

/** "xenodia: not_accepted (provider_billing); nbp-cloud: accepted" — for logs and the admin CLI. */
export function describeAttempts(attempts: readonly ProviderAttempt[]): string {
  return attempts.map((attempt) => `${attempt.provider}: ${attempt.outcome}${attempt.code ? ` (${attempt.code})` : ''}`).join('; ');
}
