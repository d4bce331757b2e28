// A queued job's create call: marked as started, sent along its failover chain, and recorded under the lease with who accepted it and what it costs.
import type { Logger } from '../log.ts';
import type { BotMetrics } from './bot-metrics.ts';
import type { Clock } from './clock.ts';
import type { BotError } from './errors.ts';
import { buildFailoverChain } from './failover-chain.ts';
import { submitAlongChain } from './failover.ts';
import type { JobLease, JobRecord, JobStore } from './job-store.ts';
import { spendAtAcceptance } from './job-spend.ts';
import { toProviderRequest } from './job-view.ts';
import type { PriceTable } from './price-table.ts';
import { describeAttempts } from './provider-attempts.ts';
import type { ProviderCooldowns } from './provider-cooldown.ts';
import { unknownTerms } from './provider-terms.ts';
import type { ImageProvider, ProviderRequest, SubmitOutcome } from './provider.ts';
import type { ProviderId } from './request.ts';

/** The operator's failover and spend settings, as the runner builds them from the config. */
export interface SubmissionSettings {
  /** PROVIDER: only a request the bot gave its default provider (the user named none) may fail over. */
  defaultProvider: ProviderId;
  /** PROVIDER_FALLBACKS, in order. */
  fallbacks: readonly ProviderId[];
  /** This process's cool-downs (PROVIDER_COOLDOWN_SECONDS). */
  cooldowns: ProviderCooldowns;
  /** PROVIDER_PRICES. */
  prices: PriceTable;
  /** The in-flight cap of `provider` (PROVIDER_MAX_IN_FLIGHT, or less where the provider says so), as admission applies it. */
  providerLimit(provider: ProviderId): number;
}

/** What one submission needs from the runner. */
export interface SubmissionContext {
  store: JobStore;
  clock: Clock;
  logger: Logger;
  metrics: BotMetrics;
  settings: SubmissionSettings;
  providerFor(id: ProviderId): ImageProvider | undefined;
  /** Sends one create call, timed and counted by the caller. */
  submit(provider: ImageProvider, request: ProviderRequest): Promise<SubmitOutcome>;
  /** The job's lease signal: ends a `Retry-After` wait when the lease is lost (a stop does not cut a create call short). */
  signal: AbortSignal;
}

/** A job some provider accepted: the job as it now stands, its provider, and the create call's answer. */
export interface AcceptedJob {
  job: JobRecord;
  provider: ImageProvider;
  outcome: SubmitOutcome;
}

/** True when `job` may go to a fallback: the bot chose its provider (its default), and the user named none. */
function mayMove(job: JobRecord, settings: SubmissionSettings): boolean {
  return job.request.providerFromDefault === true && job.provider === settings.defaultProvider && job.request.provider === job.provider;
}

/**
 * Sends `job`'s create call: to its own provider, and, when the provider demonstrably did not take
 * it and the request may move, to the next fallback that can serve it. The accepting provider,
 * every attempt and the job's spend are stored under `lease`; when none accepted, the attempts are
 * stored and the job's error thrown. A create call whose outcome is unknown is never sent elsewhere.
 */
export async function submitJob(context: SubmissionContext, job: JobRecord, lease: JobLease, primary: ImageProvider): Promise<AcceptedJob> {
  const { store, clock, metrics, settings } = context;
  await store.markSubmitting(lease, clock.now());
  const chain = buildFailoverChain({
    primary: { provider: primary, request: toProviderRequest(job.request) },
    fallbacks: mayMove(job, settings) ? settings.fallbacks : [],
    providerFor: context.providerFor,
  });
  const walked = await submitAlongChain(chain, {
    submit: context.submit,
    cooldowns: settings.cooldowns,
    clock,
    hasRoom: async (provider) => (await store.providerSlotsInUse(provider, clock.now())) < settings.providerLimit(provider),
    signal: context.signal,
    onPassedOver: (provider, reason) => metrics.providerPassedOver(provider, reason),
  });
  const log = context.logger.child({ jobId: job.id });
  if (walked.kind === 'failed') {
    await store.recordAttempts(lease, walked.attempts, clock.now());
    if (walked.attempts.length > 1) log.warn({ attempts: describeAttempts(walked.attempts) }, 'no provider took the job');
    throw walked.error;
  }
  const { provider, request, outcome, attempts } = walked;
  const spend = spendAtAcceptance({
    provider: provider.id,
    resolution: request.resolution,
    terms: provider.terms ?? unknownTerms,
    reported: outcome.cost,
    prices: settings.prices,
  });
  const taskId = outcome.kind === 'task' ? outcome.task.taskId : null;
  const now = clock.now();
  await store.markAccepted(lease, { taskId, provider: provider.id, model: request.model, attempts, spend }, now);
  metrics.spendRecorded(provider.id, spend.unit, spend.amountMicros);
  if (provider.id !== primary.id) {
    metrics.failedOver(primary.id, provider.id);
    log.info({ from: primary.id, to: provider.id, attempts: describeAttempts(attempts) }, 'job failed over');
  }
  const accepted: JobRecord = { ...job, state: 'submitted', provider: provider.id, model: request.model, taskId, attempts, submittedAt: now, updatedAt: now };
  return { job: accepted, provider, outcome };
}

/**
 * Called before a job is marked failed: when its provider reported the accepted task as failed
 * and documents such tasks as refunded (nbp-cloud), the job's spend becomes 0.
 */
export async function settleRefund(context: Pick<SubmissionContext, 'store' | 'clock' | 'metrics'>, provider: ImageProvider | undefined, lease: JobLease, failure: BotError): Promise<void> {
  if (provider === undefined || failure.providerOutcome !== 'task_failed' || !(provider.terms ?? unknownTerms).refundsFailedTasks) return;
  const refunded = await context.store.refundSpend(lease, context.clock.now());
  if (refunded?.amountMicros) context.metrics.spendRefunded(provider.id, refunded.unit, refunded.amountMicros);
}
