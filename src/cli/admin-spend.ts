// `npm run admin -- spend [--since DATE] [--by provider|day|user|server]`: the operator's spend as a table, on either database.
import { spendTableLines, type SpendQuery } from '../core/spend-report.ts';
import type { BotStore } from '../store/index.ts';

/** Prints the report: a heading, then the table (or a line saying no provider accepted a job yet). */
export async function printSpend(store: Pick<BotStore, 'spendReport'>, query: SpendQuery, print: (line: string) => void): Promise<void> {
  const rows = await store.spendReport(query);
  const since = query.since === undefined ? 'all time' : `since ${new Date(query.since).toISOString().slice(0, 10)}`;
  print(`Spend by ${query.by}, ${since} (each provider's own unit; UNKNOWN: jobs with no reported cost and no PROVIDER_PRICES entry).`);
  if (rows.length === 0) {
    print('No provider has accepted a job in that time.');
    return;
  }
  for (const line of spendTableLines(rows, query)) print(line);
}
