// Sends one create call along its failover chain: moves on only when a provider demonstrably did not take the task, never once one may have.
import type { Clock } from './clock.ts';
import { sleep } from './clock.ts';
import { BotError, toBotError, type ErrorCode } from './errors.ts';
import type { ChainLink } from './failover-chain.ts';
import type { ProviderAttempt, SkipReason } from './provider-attempts.ts';
import { coolDownStatuses, unknownTerms, type ProviderTerms } from './provider-terms.ts';
import type { ProviderCooldowns } from './provider-cooldown.ts';
import type { ImageProvider, ProviderRequest, SubmitOutcome } from './provider.ts';
import type { ProviderId } from './request.ts';

/** A 429 asking for at most this long is waited out on the same provider, once, before moving on. */
export const defaultRetryWaitMs = 5000;

/** What walking the chain needs from its caller. */
export interface FailoverEdges {
  /** Sends one create call (the caller times and counts it); throws a `BotError` when it fails. */
  submit(provider: ImageProvider, request: ProviderRequest): Promise<SubmitOutcome>;
  cooldowns: ProviderCooldowns;
  clock: Clock;
  /**
   * Whether a fallback has a free in-flight slot (PROVIDER_MAX_IN_FLIGHT, counted over every
   * process); a full one is passed over. Never asked for the first provider, which was admitted
   * under its own cap. Unset: every provider has room (the CLI).
   */
  hasRoom?(provider: ProviderId): Promise<boolean>;
  /** Longest `Retry-After` worth waiting for on the same provider (default `defaultRetryWaitMs`). */
  retryWaitMs?: number;
  /** Ends a `Retry-After` wait early (the job's lease was lost). */
  signal?: AbortSignal;
  /** Told each time a provider is passed over: the error code it refused with, or the skip reason. */
  onPassedOver?(provider: ProviderId, reason: ErrorCode | SkipReason): void;
}

/** How walking the chain ended: a provider accepted, or the job fails with `error`. Both carry every attempt. */
export type FailoverOutcome =
  | { kind: 'accepted'; provider: ImageProvider; request: ProviderRequest; outcome: SubmitOutcome; attempts: ProviderAttempt[] }
  | { kind: 'failed'; error: BotError; attempts: ProviderAttempt[] };

/**
 * What a failed create call shows about the provider: `cool_down` (401/402 it documents as taking
 * nothing: only the operator can fix that), `move` (it took nothing: another provider may be
 * tried), or undefined (it may have created, and charged, a task; or the request itself is at
 * fault, as with invalid_request or a 400 content refusal): the job must not go anywhere else.
 */
export function refusalKind(error: BotError, terms: ProviderTerms): 'cool_down' | 'move' | undefined {
  // A content refusal would be refused again anywhere, and another provider must not be asked to make what one refused.
  if (error.code === 'content_refused') return undefined;
  if (error.code === 'invalid_request' || error.code === 'prompt_blocked' || error.code === 'cancelled' || error.providerOutcome === 'task_failed') return undefined;
  // The connection could not even be opened: no provider saw the request.
  if (error.providerOutcome === 'not_sent') return 'move';
  if (error.status === undefined || !terms.notAcceptedStatuses.includes(error.status)) return undefined;
  return coolDownStatuses.includes(error.status) ? 'cool_down' : 'move';
}

/** One create call, and once more after a short `Retry-After` when the provider documents its 429 as taking nothing. */
async function submitOnce(provider: ImageProvider, request: ProviderRequest, edges: FailoverEdges): Promise<SubmitOutcome> {
  try {
    return await edges.submit(provider, request);
  } catch (error) {
    const failure = toBotError(error, 'provider_failed');
    const waitMs = failure.code === 'provider_rate_limited' ? failure.retryAfterMs : undefined;
    const documented = failure.status !== undefined && (provider.terms ?? unknownTerms).notAcceptedStatuses.includes(failure.status);
    if (waitMs === undefined || !documented || waitMs > (edges.retryWaitMs ?? defaultRetryWaitMs)) throw failure;
    await sleep(edges.clock, waitMs, edges.signal);
    return edges.submit(provider, request);
  }
}

/** True when a provider after `index` could be tried without waiting for a cool-down. */
function readyLater(chain: readonly ChainLink[], index: number, cooldowns: ProviderCooldowns): boolean {
  return chain.slice(index + 1).some((link) => link.kind === 'servable' && cooldowns.coolingUntil(link.provider.id) === undefined);
}

/** The error of a job no provider took: the provider's own when there was nowhere else to go, else `provider_unavailable`. */
function noneTook(chain: readonly ChainLink[], attempts: readonly ProviderAttempt[], lastRefusal: BotError | undefined): BotError {
  if (chain.length === 1 && lastRefusal !== undefined) return lastRefusal;
  const tried = attempts.map((attempt) => `${attempt.provider}: ${attempt.reason ?? attempt.code ?? attempt.outcome}`).join('; ');
  return new BotError('provider_unavailable', `No provider took the request (${tried})`, {
    ...(lastRefusal === undefined ? {} : { cause: lastRefusal }),
  });
}

/**
 * Tries the chain in order. A provider that cannot serve the request is passed over; one cooling
 * down is passed over while a later one is ready (the cool-down saves round trips, it never refuses
 * work on its own); a fallback at its in-flight cap is passed over. The first provider that accepts
 * ends the walk; one that fails in a way that may have created a task ends it too.
 */
export async function submitAlongChain(chain: readonly ChainLink[], edges: FailoverEdges): Promise<FailoverOutcome> {
  const attempts: ProviderAttempt[] = [];
  const record = (attempt: Omit<ProviderAttempt, 'at'>) => attempts.push({ ...attempt, at: edges.clock.now() });
  const skip = (provider: ProviderId, code: SkipReason, reason: string, model?: string) => {
    record({ provider, ...(model === undefined ? {} : { model }), outcome: 'skipped', code, reason });
    edges.onPassedOver?.(provider, code);
  };
  let lastRefusal: BotError | undefined;
  for (const [index, link] of chain.entries()) {
    if (link.kind === 'unservable') {
      skip(link.providerId, 'cannot_serve', link.reason, link.model);
      continue;
    }
    const { provider, request } = link;
    const coolingUntil = edges.cooldowns.coolingUntil(provider.id);
    if (coolingUntil !== undefined && readyLater(chain, index, edges.cooldowns)) {
      skip(provider.id, 'cooling_down', `cooling down until ${new Date(coolingUntil).toISOString()}`, request.model);
      continue;
    }
    if (index > 0 && edges.hasRoom !== undefined && !(await edges.hasRoom(provider.id))) {
      skip(provider.id, 'at_capacity', `${provider.id} has no free in-flight slot`, request.model);
      continue;
    }
    try {
      const outcome = await submitOnce(provider, request, edges);
      edges.cooldowns.clear(provider.id);
      record({ provider: provider.id, model: request.model, outcome: 'accepted' });
      return { kind: 'accepted', provider, request, outcome, attempts };
    } catch (error) {
      const failure = toBotError(error, 'provider_failed');
      const refusal = refusalKind(failure, provider.terms ?? unknownTerms);
      const attempt = { provider: provider.id, model: request.model, code: failure.code, reason: failure.message };
      if (refusal === undefined) {
        record({ ...attempt, outcome: 'failed' });
        return { kind: 'failed', error: failure, attempts };
      }
      if (refusal === 'cool_down') edges.cooldowns.start(provider.id, failure);
      record({ ...attempt, outcome: 'not_accepted' });
      edges.onPassedOver?.(provider.id, failure.code);
      lastRefusal = failure;
    }
  }
  return { kind: 'failed', error: noneTook(chain, attempts, lastRefusal), attempts };
}
