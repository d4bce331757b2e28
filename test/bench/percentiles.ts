// Percentiles and simple summaries of measured samples.

/** p50/p99 (and friends) of one measured quantity. */
export interface Distribution {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile (`fraction` in [0, 1]) of already sorted values; NaN when empty. */
export function percentileOfSorted(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(fraction * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

/** Rounds to `digits` decimals so the JSON stays readable. */
export function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Summarizes `values`, rounded to `digits` decimals. */
export function distribution(values: readonly number[], digits = 3): Distribution {
  const sorted = [...values].sort((left, right) => left - right);
  const sum = sorted.reduce((total, value) => total + value, 0);
  const pick = (fraction: number) => round(percentileOfSorted(sorted, fraction), digits);
  return {
    count: sorted.length,
    min: round(sorted[0] ?? Number.NaN, digits),
    p50: pick(0.5),
    p90: pick(0.9),
    p99: pick(0.99),
    max: round(sorted[sorted.length - 1] ?? Number.NaN, digits),
    mean: round(sorted.length === 0 ? Number.NaN : sum / sorted.length, digits),
  };
}
