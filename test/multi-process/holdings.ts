// What each bot process holds at one moment (leased jobs by state, accepted requests waiting in line): how a test picks and checks its victim.
import type { JobState } from '../../src/core/job-store.ts';
import type { BotProcess } from '../support/bot-process.ts';
import type { JobRow } from '../support/job-table.ts';

/** The states a process can be caught holding, plus the waiting jobs it accepted (a waiting job has no holder). */
export type HeldKind = 'queued' | 'submitted' | 'running' | 'succeeded';

/** What one process had at one moment. */
export interface Holdings {
  bot: BotProcess;
  /** Jobs leased to it (live lease), by state. */
  leased: Record<Exclude<JobState, 'failed' | 'delivered'>, JobRow[]>;
  /** Jobs it accepted (its Socket Mode connection got the command) that wait in the shared line. */
  waitingAccepted: JobRow[];
}

/** Reads what each process holds in `rows` at `now`; `receivers` maps dedupe keys to the process that got the command. */
export function holdingsOf(bots: readonly BotProcess[], rows: readonly JobRow[], now: number, receivers: ReadonlyMap<string, string | undefined>): Holdings[] {
  return bots.map((bot) => {
    const leased: Holdings['leased'] = { queued: [], submitted: [], running: [], succeeded: [] };
    for (const row of rows) {
      if (row.leaseOwner !== bot.owner || row.leaseExpiresAt <= now) continue;
      if (row.state === 'failed' || row.state === 'delivered') continue;
      leased[row.state].push(row);
    }
    const waitingAccepted = rows.filter(
      (row) => row.state === 'queued' && row.leaseExpiresAt <= now && row.submitStartedAt === null && row.dedupeKey !== null && receivers.get(row.dedupeKey) === bot.name,
    );
    return { bot, leased, waitingAccepted };
  });
}

/** How many jobs a process holds (leased, any state). */
export function heldCount(holdings: Holdings): number {
  return Object.values(holdings.leased).reduce((sum, rows) => sum + rows.length, 0);
}

/** Which kinds a process has at least one of. */
export function kindsHeld(holdings: Holdings): HeldKind[] {
  const kinds: HeldKind[] = [];
  if (holdings.waitingAccepted.length > 0 || holdings.leased.queued.length > 0) kinds.push('queued');
  for (const state of ['submitted', 'running', 'succeeded'] as const) if (holdings.leased[state].length > 0) kinds.push(state);
  return kinds;
}

/** One line per process, for failure messages: `bot-1: queued 1, submitted 0, …`. */
export function describeHoldings(all: readonly Holdings[]): string {
  return all
    .map((holdings) => {
      const leased = Object.entries(holdings.leased).map(([state, rows]) => `${state} ${rows.length}`).join(', ');
      return `${holdings.bot.name}: leased ${leased}; waiting accepted ${holdings.waitingAccepted.length}`;
    })
    .join('\n');
}
