// What a job cost the operator: reported by the provider, from the operator's price list, refunded, free, or unknown (never guessed as zero).
import { microsPerUnit, priceFor, type PriceTable } from './price-table.ts';
import type { ProviderTerms, ReportedCost } from './provider-terms.ts';
import type { ProviderId, Resolution } from './request.ts';

/** Where a job's spend figure comes from. */
export const spendSources = ['reported', 'price', 'refunded', 'free', 'unknown'] as const;
export type SpendSource = (typeof spendSources)[number];

/** What one job cost the operator, in the accepting provider's own unit. */
export interface JobSpend {
  /** Millionths of `unit`; null when unknown (shown as unknown, never as zero). */
  amountMicros: number | null;
  /** The unit (`cr`, `usd`, or '' when the operator's price gives none). */
  unit: string;
  /** `reported` by the provider, from the operator's `price`, `refunded` by the provider, `free` (mock), or `unknown`. */
  source: SpendSource;
}

/** What the spend of a job accepted by `provider` is worked out from. */
export interface SpendInputs {
  provider: ProviderId;
  resolution: Resolution;
  terms: ProviderTerms;
  /** The cost the create answer reported, if any. */
  reported: ReportedCost | undefined;
  prices: PriceTable;
}

/** The spend recorded when a provider accepts a job: what it reported, else the configured price, else unknown. */
export function spendAtAcceptance(inputs: SpendInputs): JobSpend {
  const { reported } = inputs;
  if (reported !== undefined && Number.isFinite(reported.amount) && reported.amount >= 0) {
    return { amountMicros: Math.round(reported.amount * microsPerUnit), unit: reported.unit, source: 'reported' };
  }
  if (inputs.terms.freeOfCharge === true) return { amountMicros: 0, unit: '', source: 'free' };
  const price = priceFor(inputs.prices, inputs.provider, inputs.resolution);
  if (price !== undefined) return { amountMicros: price.amountMicros, unit: price.unit, source: 'price' };
  return { amountMicros: null, unit: '', source: 'unknown' };
}
