// The CLI's create call: along PROVIDER_FALLBACKS when --provider was not given, saying on stderr which provider took it when it was not the default.
import type { Config } from '../config.ts';
import type { Clock } from '../core/clock.ts';
import { buildFailoverChain } from '../core/failover-chain.ts';
import { submitAlongChain } from '../core/failover.ts';
import { submitRequest } from '../core/generation-steps.ts';
import type { ProviderAttempt } from '../core/provider-attempts.ts';
import { createProviderCooldowns } from '../core/provider-cooldown.ts';
import type { ImageProvider, ProviderRequest, SubmitOutcome } from '../core/provider.ts';
import type { ProviderId } from '../core/request.ts';
import type { Logger } from '../log.ts';

/** What the CLI's create call needs. */
export interface CliSubmission {
  /** The provider the request was validated for, and the request. */
  primary: { provider: ImageProvider; request: ProviderRequest };
  /** True when `--provider` was given: the request never moves. */
  providerNamed: boolean;
  config: Pick<Config, 'failover'>;
  providers: ReadonlyMap<ProviderId, ImageProvider>;
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  /** Writes a line for people (stderr). */
  say(message: string): void;
}

/** The provider that took the task, the request as it took it, and its answer. */
export interface CliAccepted {
  provider: ImageProvider;
  request: ProviderRequest;
  outcome: SubmitOutcome;
}

/** "xenodia did not take it (xenodia reports insufficient balance…)" for each provider passed over. */
function describePassedOver(attempts: readonly ProviderAttempt[]): string {
  return attempts
    .filter((attempt) => attempt.outcome !== 'accepted')
    .map((attempt) => `${attempt.provider}: ${attempt.reason ?? attempt.code ?? attempt.outcome}`)
    .join('; ');
}

/** Sends the create call; throws the `BotError` of a request no provider took. */
export async function submitFromCli(input: CliSubmission): Promise<CliAccepted> {
  const { primary } = input;
  const chain = buildFailoverChain({
    primary,
    fallbacks: input.providerNamed ? [] : input.config.failover.fallbacks,
    providerFor: (id) => input.providers.get(id),
  });
  const walked = await submitAlongChain(chain, {
    submit: (provider, request) => submitRequest(provider, request, input.signal),
    // One run makes one create call, so a cool-down could not save anything here; it only keeps the shared rules.
    cooldowns: createProviderCooldowns({ cooldownMs: input.config.failover.cooldownMs, clock: input.clock, logger: input.logger }),
    clock: input.clock,
    signal: input.signal,
  });
  if (walked.kind === 'failed') throw walked.error;
  if (walked.provider.id !== primary.provider.id) {
    input.say(`${primary.provider.id} did not take the request, so ${walked.provider.id} made the image (${describePassedOver(walked.attempts)}).`);
  }
  return { provider: walked.provider, request: walked.request, outcome: walked.outcome };
}
