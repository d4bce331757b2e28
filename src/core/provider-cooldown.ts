// Providers that refused the key or the balance (401/402) are passed over for PROVIDER_COOLDOWN_SECONDS, so every request does not pay that round trip first.
import type { Logger } from '../log.ts';
import type { Clock } from './clock.ts';
import type { BotError } from './errors.ts';
import type { ProviderId } from './request.ts';

/** This process's cool-downs (each process keeps its own: at worst one round trip per process and cool-down). */
export interface ProviderCooldowns {
  /** When `provider` may be called again (ms since epoch) while it is cooling down; undefined when it is not. */
  coolingUntil(provider: ProviderId): number | undefined;
  /**
   * Starts a cool-down for `provider` after `error` (a 401 or 402). Logs it once, as an error the
   * operator must act on; a provider already cooling down keeps its cool-down and logs nothing.
   */
  start(provider: ProviderId, error: BotError): void;
  /** `provider` accepted a task: any cool-down ends (the operator fixed the key or topped up). */
  clear(provider: ProviderId): void;
}

/** What the cool-downs need: how long they last, a clock, and where to log. */
export interface ProviderCooldownOptions {
  /** PROVIDER_COOLDOWN_SECONDS in milliseconds. */
  cooldownMs: number;
  clock: Clock;
  logger: Logger;
}

/** What the operator has to do about each status, in the one log line a cool-down writes. */
function remedy(error: BotError): string {
  return error.status === 402 ? 'top up the account' : 'check the API key';
}

/** Creates the cool-downs of one process. */
export function createProviderCooldowns(options: ProviderCooldownOptions): ProviderCooldowns {
  const { cooldownMs, clock, logger } = options;
  const until = new Map<ProviderId, number>();

  function coolingUntil(provider: ProviderId): number | undefined {
    const end = until.get(provider);
    if (end === undefined) return undefined;
    if (clock.now() < end) return end;
    until.delete(provider);
    return undefined;
  }

  return {
    coolingUntil,
    start(provider, error) {
      if (coolingUntil(provider) !== undefined) return;
      const end = clock.now() + cooldownMs;
      until.set(provider, end);
      logger.error(
        { provider, code: error.code, status: error.status, cooldownSeconds: Math.round(cooldownMs / 1000), err: error },
        `${provider} refused work (HTTP ${error.status ?? '?'}): ${remedy(error)}; requests that may fail over skip it until ${new Date(end).toISOString()}`,
      );
    },
    clear(provider) {
      if (!until.delete(provider)) return;
      logger.info({ provider }, `${provider} accepts work again; its cool-down is over`);
    },
  };
}
