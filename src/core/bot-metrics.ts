// The figures the bot reports about itself, as a small seam: the core calls it, an edge module (Prometheus) implements it.
import type { ErrorCode } from './errors.ts';
import type { QueuePosition } from './job-store.ts';
import type { SkipReason } from './provider-attempts.ts';
import type { Platform, ProviderId } from './request.ts';

/** States of a job while this process holds it: claimed before submit, at the provider, and delivering its result. */
export type InFlightState = 'queued' | 'submitted' | 'running' | 'succeeded';

/** How a job this process held ended: posted, or the code it failed with. */
export type JobOutcome = 'delivered' | ErrorCode;

/** Which provider call was timed. */
export type ProviderCall = 'submit' | 'poll';

/** Which way credits moved. */
export type CreditMovement = 'reserved' | 'committed' | 'refunded';

/**
 * What the bot counts. Every argument is a bounded name (provider, state, error code, platform API
 * method): never a user, channel, server or job id, so no implementation can put one in a label.
 * Calls must be cheap and must never throw: they sit on the jobs' hot paths.
 */
export interface BotMetrics {
  /** A new job was accepted into the store by this process (a retried event finding its job is not counted). */
  jobStarted(provider: ProviderId): void;
  /** A job this process held reached its end: `delivered`, or the error code it failed (and was refunded) with. */
  jobFinished(provider: ProviderId, outcome: JobOutcome): void;
  /** A job held by this process moved between in-flight states; `undefined` is "not held here" (claimed, or let go). */
  jobStateChanged(from: InFlightState | undefined, to: InFlightState | undefined): void;
  /** The shared line as this process's latest claim pass saw it: every waiting job's place and reason. */
  queueObserved(waiting: Iterable<QueuePosition>): void;
  /** A create call or a poll answered (or failed) after `seconds`; `outcome` is `ok` or the error code. */
  providerCallTimed(provider: ProviderId, call: ProviderCall, seconds: number, outcome: 'ok' | ErrorCode): void;
  /** A poll request is being sent to `provider`. */
  pollSent(provider: ProviderId): void;
  /**
   * A provider task's result was found. `generationSeconds`: from the create call to the poll that
   * found it. `detectionLagSeconds`: from the last poll that still saw it pending (or the create call)
   * to the one that found it: the longest the result can have waited unnoticed.
   */
  taskCompleted(provider: ProviderId, generationSeconds: number, detectionLagSeconds: number): void;
  /** A result image of `bytes` bytes was downloaded from `provider`'s result URL. */
  resultDownloaded(provider: ProviderId, bytes: number): void;
  /** A chat platform API call answered with HTTP `status`; `method` is an id-free name (`chat.update`, `PATCH /webhooks/:id/:token/messages/@original`). */
  platformCall(platform: Platform, method: string, status: number): void;
  /** Credits moved: reserved for a new job, committed when it was delivered, refunded when it failed. */
  credits(movement: CreditMovement, amount: number): void;
  /** A provider did not take a job's create call (the error code it refused with), or was passed over without a call. */
  providerPassedOver(provider: ProviderId, reason: ErrorCode | SkipReason): void;
  /** A job the bot would have sent to `from` (its default) was accepted by `to`, a fallback. */
  failedOver(from: ProviderId, to: ProviderId): void;
  /** A provider accepted a job costing `amountMicros` millionths of `unit` (the operator's money); null when unknown. */
  spendRecorded(provider: ProviderId, unit: string, amountMicros: number | null): void;
  /** A provider refunded a failed job's `amountMicros` millionths of `unit`. */
  spendRefunded(provider: ProviderId, unit: string, amountMicros: number): void;
}

/** Counts nothing: the default for tests, the CLI and anything started without a metrics sink. */
export const noMetrics: BotMetrics = {
  jobStarted: () => undefined,
  jobFinished: () => undefined,
  jobStateChanged: () => undefined,
  queueObserved: () => undefined,
  providerCallTimed: () => undefined,
  pollSent: () => undefined,
  taskCompleted: () => undefined,
  resultDownloaded: () => undefined,
  platformCall: () => undefined,
  credits: () => undefined,
  providerPassedOver: () => undefined,
  failedOver: () => undefined,
  spendRecorded: () => undefined,
  spendRefunded: () => undefined,
};

/** The slice of `BotMetrics` a chat adapter reports to. */
export type PlatformMetrics = Pick<BotMetrics, 'platformCall'>;
