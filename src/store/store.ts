// The store contract every database implements (SQLite, PostgreSQL): the core's seams plus what operators and the benchmark need.
import type { CommunityStore } from '../core/community-store.ts';
import type { JobCancellation } from '../core/job-cancellation.ts';
import type { JobHistory } from '../core/job-history.ts';
import type { KeptImages } from '../core/kept-image.ts';
import type { IntakeStore, JobRecord, JobState, JobStore, LedgerEntry, QuotaLedger } from '../core/job-store.ts';
import type { JobSpend } from '../core/job-spend.ts';
import type { Resolution } from '../core/request.ts';
import type { SpendReports } from '../core/spend-report.ts';

/** Whose credits: one user's daily credits, or a community's (server/workspace) daily cap. */
export type AccountScope = 'user' | 'community';

/** A ledger row with what the shared `LedgerEntry` leaves out. */
export interface StoredLedgerEntry extends LedgerEntry {
  scope: AccountScope;
  /** Change of the reserved credits: reserve +cost, commit and refund −cost, others 0. */
  reservedChange: number;
}

/** Filters for the operators' list of recent jobs. */
export interface RecentJobsFilter {
  state?: JobState;
  requesterKey?: string;
  limit: number;
}

/** One account day as stored next to what its ledger rows add up to. */
export interface AccountAudit {
  scope: AccountScope;
  accountKey: string;
  quotaDay: string;
  available: number;
  reserved: number;
  ledgerAvailable: number;
  ledgerReserved: number;
  /** Credits held by jobs still stored and not yet settled (jobs past retention are final, so never held). */
  heldByOpenJobs: number;
}

/** What to reserve. */
export interface ReservationRequest {
  requesterKey: string;
  /** Platform-qualified community; its daily cap applies when one is configured. */
  communityKey?: string | null;
  /** Credits the image costs; ignored (0 is held) when `unlimited`. */
  cost: number;
  /** Admins: nothing is held against a limit, the ledger rows are still written. */
  unlimited: boolean;
  /** Written on the ledger rows so they can be traced to their job. */
  jobId: string | null;
  /** Names the tier in the quota message ("This 4K image costs…"). */
  resolution?: Resolution;
  now: number;
}

/** Credits held for one job, and where they were taken from (settlement returns them there). */
export interface Reservation {
  requesterKey: string;
  communityKey: string | null;
  jobId: string | null;
  /** UTC day the credits were taken from; refunds go back to it even after midnight. */
  quotaDay: string;
  /** Held from the user's day. */
  cost: number;
  /** Held from the community's day (0 when no cap applied). */
  communityCost: number;
}

/** Reserve and settle as standalone transactions: what the benchmark measures, and the job methods' building blocks. */
export interface CreditReservations {
  /** Holds the credits atomically or throws `BotError('quota_exceeded')` with the user-ready reason; nothing changes then. */
  reserveCredits(request: ReservationRequest): Promise<Reservation>;
  /** Spends held credits (ledger `commit`). */
  commitCredits(reservation: Reservation, now: number): Promise<void>;
  /** Returns held credits to the day they came from (ledger `refund`). */
  refundCredits(reservation: Reservation, now: number): Promise<void>;
}

/** Everything the bot, the admin CLI and the benchmark read and write; one object per open database. */
export interface BotStore
  extends JobStore, QuotaLedger, IntakeStore, CreditReservations, SpendReports, JobHistory, CommunityStore, JobCancellation, KeptImages {
  /** Which database is behind it (for logs and the benchmark's labels). */
  readonly kind: 'sqlite' | 'postgres';
  /** Latest ledger rows of `requesterKey`, newest first, with their change of reserved credits. */
  entries(requesterKey: string, limit?: number): Promise<StoredLedgerEntry[]>;
  /** Latest jobs first, optionally of one state and/or requester; a listing: references come without their bytes. */
  listRecent(filter: RecentJobsFilter): Promise<JobRecord[]>;
  /** Every account day next to its ledger sums and the credits its open jobs hold, oldest first. */
  auditAccounts(): Promise<AccountAudit[]>;
  /** What job `jobId` cost the operator, or undefined when no provider accepted it. Kept after the job is purged. */
  spendOf(jobId: string): Promise<JobSpend | undefined>;
  /** Closes the connection(s); pending calls finish first. */
  close(): Promise<void>;
}

/** The account days whose stored credits disagree with their ledger or with the jobs holding them. */
export function unbalancedAccounts(audits: readonly AccountAudit[]): AccountAudit[] {
  return audits.filter(
    (audit) =>
      audit.available !== audit.ledgerAvailable
      || audit.reserved !== audit.ledgerReserved
      || audit.available < 0
      || audit.reserved !== audit.heldByOpenJobs,
  );
}
