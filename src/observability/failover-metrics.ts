// The failover and spend figures of /metrics: providers passed over, jobs failed over, and the operator's spend by provider and unit.
import { Counter, type Registry } from 'prom-client';
import type { BotMetrics } from '../core/bot-metrics.ts';
import { microsPerUnit } from '../core/price-table.ts';

/** The part of `BotMetrics` these figures implement. */
export type FailoverFigures = Pick<BotMetrics, 'providerPassedOver' | 'failedOver' | 'spendRecorded' | 'spendRefunded'>;

/** Creates the counters in `registers`. Labels are provider ids, error codes, skip reasons and the operator's units: never an id. */
export function createFailoverFigures(registers: Registry[]): FailoverFigures {
  const passedOver = new Counter({
    name: 'nano_imagine_provider_passed_over_total',
    help: 'Create calls a provider did not take (by the error code) or was skipped for (cooling_down, cannot_serve, at_capacity).',
    labelNames: ['provider', 'reason'],
    registers,
  });
  const failovers = new Counter({
    name: 'nano_imagine_failovers_total',
    help: 'Jobs accepted by a fallback instead of the default provider, by default (from) and fallback (to).',
    labelNames: ['from', 'to'],
    registers,
  });
  const spend = new Counter({
    name: 'nano_imagine_spend_total',
    help: "What accepted jobs cost the operator, in each provider's own unit (reported or from PROVIDER_PRICES), refunds not deducted.",
    labelNames: ['provider', 'unit'],
    registers,
  });
  const refunded = new Counter({
    name: 'nano_imagine_spend_refunded_total',
    help: 'Spend the provider refunded for failed jobs, by provider and unit.',
    labelNames: ['provider', 'unit'],
    registers,
  });
  const unknown = new Counter({
    name: 'nano_imagine_spend_unknown_jobs_total',
    help: 'Accepted jobs whose cost is unknown (neither reported by the provider nor priced in PROVIDER_PRICES), by provider.',
    labelNames: ['provider'],
    registers,
  });
  return {
    providerPassedOver: (provider, reason) => passedOver.inc({ provider, reason }),
    failedOver: (from, to) => failovers.inc({ from, to }),
    spendRecorded(provider, unit, amountMicros) {
      if (amountMicros === null) unknown.inc({ provider });
      else spend.inc({ provider, unit }, amountMicros / microsPerUnit);
    },
    spendRefunded: (provider, unit, amountMicros) => refunded.inc({ provider, unit }, Math.max(0, amountMicros) / microsPerUnit),
  };
}
