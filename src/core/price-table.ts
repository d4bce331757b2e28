// The operator's price list per provider and resolution (PROVIDER_PRICES), parsed strictly, in each provider's own unit.
import { providerIds, type ProviderId, type Resolution } from './request.ts';

/** Amounts are kept in millionths of a unit, so sums of prices like 0.13 are exact. */
export const microsPerUnit = 1_000_000;

/** One price: what one image costs the operator. */
export interface Price {
  /** The amount in millionths of `unit` (0.24 → 240000). */
  amountMicros: number;
  /** The provider's unit as the operator wrote it (`cr`, `usd`), or '' when none was given. */
  unit: string;
}

/** A tier of one provider's prices: a resolution, or `*` for every resolution not listed. */
export type PriceTier = Resolution | '*';

/** The operator's prices by provider and tier; a provider missing here has no configured price. */
export type PriceTable = Readonly<Partial<Record<ProviderId, Readonly<Partial<Record<PriceTier, Price>>>>>>;

/** The price of one image at `provider` in `resolution`: the tier's own, else the provider's `*`, else undefined. */
export function priceFor(table: PriceTable, provider: ProviderId, resolution: Resolution): Price | undefined {
  const prices = table[provider];
  return prices?.[resolution] ?? prices?.['*'];
}

/** `provider:tier=amount[unit]`: a decimal amount with at most six decimals, then an optional unit of letters. */
const entryPattern = /^([a-z-]+):(1K|2K|4K|\*)=(\d+)(?:\.(\d{1,6}))?([A-Za-z]{1,12})?$/;

/** The decimal `whole.fraction` in millionths, computed from the digits so 0.29 is exactly 290000. */
function toMicros(whole: string, fraction: string | undefined): number {
  return Number(whole) * microsPerUnit + Number((fraction ?? '').padEnd(6, '0'));
}

/**
 * Parses `xenodia:4K=0.24,xenodia:*=0.13,nbp-cloud:*=20cr`. Returns the table, or the problem with
 * the first entry that is wrong (unknown provider or tier, a repeated entry, units mixed within one
 * provider: its amounts must add up).
 */
export function parsePriceTable(text: string): { table: PriceTable } | { problem: string } {
  const table: Partial<Record<ProviderId, Partial<Record<PriceTier, Price>>>> = {};
  const entries = text.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const match = entryPattern.exec(entry.replace(/\s+/g, '').replace(/:(\d)k=/i, ':$1K='));
    if (match === null) {
      return { problem: `"${entry}" is not an entry like xenodia:4K=0.24 or nbp-cloud:*=20cr (provider:1K|2K|4K|*=amount, then an optional unit)` };
    }
    const [, provider = '', tier = '*', whole = '0', fraction, unit = ''] = match;
    if (!(providerIds as readonly string[]).includes(provider)) {
      return { problem: `"${entry}": there is no provider "${provider}"; use one of ${providerIds.join(', ')}` };
    }
    const prices = (table[provider as ProviderId] ??= {});
    const priceTier = tier as PriceTier;
    if (prices[priceTier] !== undefined) return { problem: `"${entry}": ${provider}:${tier} is priced twice` };
    const otherUnit = Object.values(prices).find((price) => price.unit !== unit);
    if (otherUnit !== undefined) {
      return { problem: `"${entry}": ${provider} is priced in "${otherUnit.unit}" elsewhere; use one unit per provider so its amounts add up` };
    }
    prices[priceTier] = { amountMicros: toMicros(whole, fraction), unit };
  }
  return { table };
}
