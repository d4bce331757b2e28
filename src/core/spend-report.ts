// What the bot cost the operator, grouped by provider, day, user or server: the query, the store's rows, and the one table every admin surface shows.
import { microsPerUnit } from './price-table.ts';
import { alignColumns } from './text-table.ts';

/** What a spend report can be grouped by. */
export const spendGroupings = ['provider', 'day', 'user', 'server'] as const;
export type SpendGrouping = (typeof spendGroupings)[number];

/** One spend report's question. */
export interface SpendQuery {
  /** What the rows are. */
  by: SpendGrouping;
  /** Only jobs accepted at or after this time (ms since epoch); every job when unset. */
  since?: number;
}

/** One group's jobs in one unit, as the store sums them. */
export interface SpendRow {
  /** The provider, UTC day, requester key or community key; null for jobs without one (no server). */
  key: string | null;
  /** The unit the amounts are in ('' when the operator's price gives none). */
  unit: string;
  /** Jobs accepted. */
  jobs: number;
  /** Of those, jobs whose cost is known (reported, priced, refunded or free). */
  knownJobs: number;
  /** Of those, jobs whose failed task the provider refunded. */
  refundedJobs: number;
  /** The known costs added up, in millionths of `unit`. */
  amountMicros: number;
}

/** Where spend reports are read from: both stores. */
export interface SpendReports {
  /** The operator's spend grouped as `query` asks: one row per group and unit, sorted by group. */
  spendReport(query: SpendQuery): Promise<SpendRow[]>;
}

/** `since` as the start of a UTC day from `YYYY-MM-DD`, or undefined when it is not one. */
export function parseSpendDate(value: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const time = Date.parse(`${value}T00:00:00Z`);
  return Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== value ? undefined : time;
}

/** `--since` and `--by` as typed (strings, or undefined when not given). */
export interface SpendOptions {
  since: string | undefined;
  by: string | undefined;
}

/** The query `--since` and `--by` ask for (default: by provider, all time), or the problem with them. */
export function spendQueryFrom(options: SpendOptions): SpendQuery | { problem: string } {
  const by = options.by ?? 'provider';
  if (!(spendGroupings as readonly string[]).includes(by)) return { problem: `--by must be one of ${spendGroupings.join(', ')}; got "${by}".` };
  if (options.since === undefined) return { by: by as SpendGrouping };
  const since = parseSpendDate(options.since);
  if (since === undefined) return { problem: `--since must be a UTC day like 2026-11-01; got "${options.since}".` };
  return { by: by as SpendGrouping, since };
}

/** "0.37", "60 cr": an amount of millionths without trailing zeros, with its unit. */
export function formatAmount(amountMicros: number, unit: string): string {
  const whole = Math.trunc(amountMicros / microsPerUnit);
  const fraction = String(amountMicros % microsPerUnit).padStart(6, '0').replace(/0+$/, '');
  const number = fraction === '' ? String(whole) : `${whole}.${fraction}`;
  return unit === '' ? number : `${number} ${unit}`;
}

/** One line of the table: what `rows` (one group, any units) add up to. */
interface GroupTotal {
  jobs: number;
  unknownJobs: number;
  refundedJobs: number;
  /** Known amounts by unit; only units with known jobs. */
  amounts: Map<string, number>;
}

function addRow(total: GroupTotal, row: SpendRow): void {
  total.jobs += row.jobs;
  total.unknownJobs += row.jobs - row.knownJobs;
  total.refundedJobs += row.refundedJobs;
  if (row.knownJobs > 0) total.amounts.set(row.unit, (total.amounts.get(row.unit) ?? 0) + row.amountMicros);
}

/** The cost cell: known amounts per unit ("0.37 + 60 cr"), "unknown" when nothing is known. Unknown is never shown as 0. */
function costCell(total: GroupTotal): string {
  const known = [...total.amounts.entries()].sort(([left], [right]) => left.localeCompare(right)).map(([unit, micros]) => formatAmount(micros, unit));
  return known.length === 0 ? 'unknown' : known.join(' + ');
}

const groupHeaders: Record<SpendGrouping, string> = { provider: 'PROVIDER', day: 'DAY (UTC)', user: 'USER', server: 'SERVER' };

/**
 * The report as aligned lines: one per group (sorted), then the total. Amounts are added only within
 * one unit; `UNKNOWN` counts jobs with neither a reported cost nor a configured price.
 */
export function spendTableLines(rows: readonly SpendRow[], query: SpendQuery): string[] {
  const groups = new Map<string, GroupTotal>();
  const total: GroupTotal = { jobs: 0, unknownJobs: 0, refundedJobs: 0, amounts: new Map() };
  for (const row of rows) {
    const key = row.key ?? '(none)';
    const group = groups.get(key) ?? { jobs: 0, unknownJobs: 0, refundedJobs: 0, amounts: new Map() };
    groups.set(key, group);
    addRow(group, row);
    addRow(total, row);
  }
  const line = (name: string, group: GroupTotal) => [name, String(group.jobs), costCell(group), String(group.unknownJobs), String(group.refundedJobs)];
  const body = [...groups.entries()].sort(([left], [right]) => left.localeCompare(right)).map(([key, group]) => line(key, group));
  return alignColumns([[groupHeaders[query.by], 'JOBS', 'COST', 'UNKNOWN', 'REFUNDED'], ...body, line('total', total)]);
}
