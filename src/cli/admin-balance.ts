// `npm run admin -- balance|jobs` output: a user's balance with their latest ledger rows, and one job as a table row.
import type { QuotaBalance } from '../core/delivery.ts';
import type { JobRecord } from '../core/job-store.ts';
import { formatCredits, formatTimeUntil } from '../core/quota-policy.ts';
import { alignColumns } from '../core/text-table.ts';
import type { OpenedStore } from '../store/index.ts';

/** `2026-11-30 20:49:01 UTC`. */
export function timestamp(time: number): string {
  return `${new Date(time).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function describeBalance(balance: QuotaBalance, now: number): string[] {
  const remaining = balance.unlimited
    ? 'unlimited (admin)'
    : `${formatCredits(balance.remaining)} (daily allowance ${balance.dailyCredits})`;
  return [
    `  remaining today: ${remaining}`,
    `  reserved:        ${formatCredits(balance.reserved)} (images in progress)`,
    `  resets:          ${timestamp(balance.resetsAt)} (in ${formatTimeUntil(now, balance.resetsAt)})`,
  ];
}

const table = alignColumns;

export function jobRow(job: JobRecord): string[] {
  const prompt = job.request.prompt.replace(/\s+/g, ' ');
  return [
    timestamp(job.createdAt),
    job.id,
    job.state,
    job.requesterKey,
    String(job.cost),
    `${job.provider}/${job.model}`,
    // Every provider tried for the create call, when it was more than the one that has the job.
    job.attempts.length > 1 ? job.attempts.map((attempt) => `${attempt.provider}:${attempt.outcome}`).join(' → ') : '',
    job.error?.code ?? '',
    prompt.length > 40 ? `${prompt.slice(0, 39)}…` : prompt,
  ];
}

export async function showBalance(context: { opened: OpenedStore; now: number; print: (line: string) => void }, key: string): Promise<void> {
  const { opened, now, print } = context;
  print(key);
  for (const line of describeBalance(await opened.store.balance(key, now), now)) print(line);
  const entries = await opened.store.entries(key, 10);
  if (entries.length === 0) return;
  print('latest ledger rows:');
  const rows = entries.map((entry) => [
    timestamp(entry.createdAt),
    entry.kind,
    entry.amount > 0 ? `+${entry.amount}` : String(entry.amount),
    `day ${entry.quotaDay}`,
    entry.jobId === null ? '' : `job ${entry.jobId}`,
    `by ${entry.actorKey}`,
  ]);
  for (const line of table(rows)) print(`  ${line}`);
}

