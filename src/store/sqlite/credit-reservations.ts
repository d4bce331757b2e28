// Reserving a job's credits (user day and community cap) and settling them: the quota half of a job's transactions.
import { BotError } from '../core/errors.ts';
import { quotaExceededMessage, utcDay, type QuotaPolicy } from '../core/quota-policy.ts';
import type { Resolution } from '../core/request.ts';
import type { AccountScope, CreditBook } from './credit-book.ts';
import type { SqliteDatabase } from './database.ts';

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
  reserveCredits(request: ReservationRequest): Reservation;
  /** Spends held credits (ledger `commit`). */
  commitCredits(reservation: Reservation, now: number): void;
  /** Returns held credits to the day they came from (ledger `refund`). */
  refundCredits(reservation: Reservation, now: number): void;
}

/** The same operations without their own transaction, for use inside a job transaction. */
export interface CreditSteps {
  reserve(request: ReservationRequest): Reservation;
  settle(kind: 'commit' | 'refund', reservation: Reservation, now: number): void;
}

/** Builds the reservation steps and their transactional wrappers over `book`. */
export function createCreditReservations(
  database: SqliteDatabase,
  book: CreditBook,
  policy: QuotaPolicy,
): CreditReservations & { steps: CreditSteps } {
  const refuse = (scope: AccountScope, key: string, day: string, request: ReservationRequest, cost: number): never => {
    const account = book.account(scope, key, day);
    const allowance = scope === 'user' ? policy.dailyCredits : (policy.communityDailyCredits ?? 0);
    throw new BotError(
      'quota_exceeded',
      quotaExceededMessage({
        scope,
        accountKey: key,
        resolution: request.resolution,
        cost,
        available: account?.available ?? allowance,
        reserved: account?.reserved ?? 0,
        allowance: account?.allowance ?? allowance,
        now: request.now,
      }),
    );
  };

  const steps: CreditSteps = {
    reserve(request) {
      if (!Number.isSafeInteger(request.cost) || request.cost < 0) {
        throw new BotError('internal', `a cost must be a whole number of credits; got ${request.cost}`);
      }
      const day = utcDay(request.now);
      const cost = request.unlimited ? 0 : request.cost;
      const { requesterKey, jobId, now } = request;
      if (!book.reserve('user', requesterKey, day, cost, jobId, requesterKey, now)) {
        refuse('user', requesterKey, day, request, cost);
      }
      const communityKey = request.communityKey ?? null;
      let communityCost = 0;
      if (communityKey !== null && policy.communityDailyCredits !== undefined && !request.unlimited) {
        // A refusal here throws out of the caller's transaction, which also undoes the user's hold above.
        if (!book.reserve('community', communityKey, day, cost, jobId, requesterKey, now)) {
          refuse('community', communityKey, day, request, cost);
        }
        communityCost = cost;
      }
      return { requesterKey, communityKey, jobId, quotaDay: day, cost, communityCost };
    },
    settle(kind, reservation, now) {
      const { requesterKey, communityKey, jobId, quotaDay } = reservation;
      book.settle(kind, 'user', requesterKey, quotaDay, reservation.cost, jobId, requesterKey, now);
      if (communityKey !== null && reservation.communityCost > 0) {
        book.settle(kind, 'community', communityKey, quotaDay, reservation.communityCost, jobId, requesterKey, now);
      }
    },
  };

  // IMMEDIATE takes the write lock up front, so another connection's busy_timeout applies instead of
  // a deferred transaction failing with SQLITE_BUSY when it upgrades from reading to writing.
  const reserveTransaction = database.transaction(steps.reserve);
  const settleTransaction = database.transaction(steps.settle);
  return {
    steps,
    reserveCredits: (request) => reserveTransaction.immediate(request),
    commitCredits: (reservation, now) => settleTransaction.immediate('commit', reservation, now),
    refundCredits: (reservation, now) => settleTransaction.immediate('refund', reservation, now),
  };
}
