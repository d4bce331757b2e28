// Reserving a job's credits (user day and community cap) and settling them: the quota half of a job's transactions.
import { BotError } from '../../core/errors.ts';
import { quotaExceededMessage, utcDay, type QuotaPolicy } from '../../core/quota-policy.ts';
import type { AccountScope, CreditReservations, Reservation, ReservationRequest } from '../store.ts';
import type { CreditBook } from './credit-book.ts';
import type { SqliteDatabase } from './database.ts';

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
    reserveCredits: async (request) => reserveTransaction.immediate(request),
    commitCredits: async (reservation, now) => settleTransaction.immediate('commit', reservation, now),
    refundCredits: async (reservation, now) => settleTransaction.immediate('refund', reservation, now),
  };
}
