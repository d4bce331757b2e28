// Checks MAX_JOBS_PER_USER across processes: live samples of the jobs table, and an exact check from stored timestamps afterwards.
import type { JobRow, JobTable } from './job-table.ts';

/** The most slots one user held at once, and when. */
export interface CapPeak {
  requesterKey: string | undefined;
  slots: number;
  /** Job ids holding them at that moment. */
  jobIds: string[];
  at: number;
}

/**
 * Slots each user holds in `rows` at time `now`, counted as the claim passes count them: a job at
 * the provider or finished but undelivered, or a queued job leased to a process (claimed, about to
 * be submitted) or whose create call was started.
 */
export function slotsByUser(rows: readonly JobRow[], now: number): Map<string, string[]> {
  const slots = new Map<string, string[]>();
  for (const row of rows) {
    const holds =
      row.state === 'submitted' || row.state === 'running' || row.state === 'succeeded'
      || (row.state === 'queued' && (row.leaseExpiresAt > now || row.submitStartedAt !== null));
    if (holds) slots.set(row.requesterKey, [...(slots.get(row.requesterKey) ?? []), row.id]);
  }
  return slots;
}

function peakOf(slots: Map<string, string[]>, at: number): CapPeak {
  let peak: CapPeak = { requesterKey: undefined, slots: 0, jobIds: [], at };
  for (const [requesterKey, jobIds] of slots) {
    if (jobIds.length > peak.slots) peak = { requesterKey, slots: jobIds.length, jobIds, at };
  }
  return peak;
}

/**
 * Exact after the fact: a job holds its user's slot at least from its submission to its end
 * (`submitted_at` … the `updated_at` of its final write), so more overlapping intervals than
 * the cap for one user prove a violation however briefly it lasted. Same-millisecond ends come
 * before starts: a slot freed by a delivery may be taken by the next claim in the same ms.
 */
export function peakFromTimestamps(rows: readonly JobRow[]): CapPeak {
  let peak: CapPeak = { requesterKey: undefined, slots: 0, jobIds: [], at: 0 };
  const byUser = new Map<string, JobRow[]>();
  for (const row of rows) {
    if (row.submittedAt === null) continue;
    byUser.set(row.requesterKey, [...(byUser.get(row.requesterKey) ?? []), row]);
  }
  for (const [requesterKey, jobs] of byUser) {
    const events = jobs.flatMap((job) => [
      { at: job.submittedAt as number, change: 1, jobId: job.id },
      { at: job.state === 'delivered' || job.state === 'failed' ? job.updatedAt : Number.POSITIVE_INFINITY, change: -1, jobId: job.id },
    ]);
    events.sort((left, right) => left.at - right.at || left.change - right.change);
    const open = new Set<string>();
    for (const event of events) {
      if (event.change > 0) open.add(event.jobId);
      else open.delete(event.jobId);
      if (open.size > peak.slots) peak = { requesterKey, slots: open.size, jobIds: [...open], at: event.at };
    }
  }
  return peak;
}

/** Samples the jobs table on a timer, keeping the highest per-user slot count seen; `onRows` sees every sample. */
export class CapSampler {
  peak: CapPeak = { requesterKey: undefined, slots: 0, jobIds: [], at: 0 };
  samples = 0;
  /** The latest rows read. */
  latest: JobRow[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #running: Promise<void> | undefined;

  constructor(
    private readonly table: JobTable,
    private readonly intervalMs = 100,
    private readonly onRows?: (rows: JobRow[], at: number) => void,
  ) {}

  start(): void {
    const tick = async () => {
      try {
        const rows = await this.table.jobs();
        const at = Date.now();
        this.latest = rows;
        this.samples += 1;
        const peak = peakOf(slotsByUser(rows, at), at);
        if (peak.slots > this.peak.slots) this.peak = peak;
        this.onRows?.(rows, at);
      } catch {
        // A busy SQLite file or a slow query: the next sample tries again.
      }
      if (!this.#stopped) this.#timer = setTimeout(() => (this.#running = tick()), this.intervalMs);
    };
    this.#running = tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }
}
