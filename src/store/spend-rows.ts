// Spend rows for both stores: the columns a job's spend is read from, the grouped report's SQL, and their mapping to the core's types.
import type { JobSpend, SpendSource } from '../core/job-spend.ts';
import type { SpendGrouping, SpendRow } from '../core/spend-report.ts';

/** The part of a `provider_spend` row that says what the job cost. */
export interface SpendColumns {
  /** Millionths of `unit`; null when unknown. */
  amount_micros: number | null;
  unit: string;
  source: SpendSource;
}

/** One (group, unit) row of the report query. */
export interface SpendReportColumns {
  key: string | null;
  unit: string;
  jobs: number;
  known_jobs: number;
  refunded_jobs: number;
  amount_micros: number;
}

/** The column each grouping reads: a fixed map, so nothing a user typed ever reaches the SQL. */
const groupColumns: Record<SpendGrouping, string> = {
  provider: 'provider',
  day: 'spend_day',
  user: 'requester_key',
  server: 'community_key',
};

/** The report query grouped `by`, with `sinceParameter` (`@since` or `$1`) as the lower bound of `accepted_at`. */
export function spendReportSql(by: SpendGrouping, sinceParameter: string): string {
  const column = groupColumns[by];
  return `SELECT ${column} AS key, unit, count(*) AS jobs, count(amount_micros) AS known_jobs,
      count(*) FILTER (WHERE source = 'refunded') AS refunded_jobs, coalesce(sum(amount_micros), 0) AS amount_micros
    FROM provider_spend WHERE accepted_at >= ${sinceParameter}
    GROUP BY ${column}, unit ORDER BY ${column}, unit`;
}

/** The columns of `provider_spend` a new row writes, in this order, after the job's own (see the stores' INSERT … SELECT). */
export function spendValues(spend: JobSpend): [number | null, string, SpendSource] {
  return [spend.amountMicros, spend.unit, spend.source];
}

/** The core's view of a spend row. */
export function toJobSpend(row: SpendColumns): JobSpend {
  return { amountMicros: row.amount_micros, unit: row.unit, source: row.source };
}

/** The core's view of a report row. */
export function toSpendRow(row: SpendReportColumns): SpendRow {
  return {
    key: row.key,
    unit: row.unit,
    jobs: Number(row.jobs),
    knownJobs: Number(row.known_jobs),
    refundedJobs: Number(row.refunded_jobs),
    amountMicros: Number(row.amount_micros),
  };
}
