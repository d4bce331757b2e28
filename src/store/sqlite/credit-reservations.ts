// Reserving a job's credits (user day and community cap) and settling them: the quota half of a job's transactions.
import type { QuotaPolicy } from '../../core/quota-policy.ts';
import { quotaRefusal } from '../quota-refusal.ts';
import { drawsOnCommunity, heldCredits, planReservation } from '../reservation-plan.ts';
import type { AccountScope, CreditReservations, Reservation, ReservationRequest } from '../store.ts';
import type { CreditBook } from './credit-book.ts';
import type { SqliteDatabase } from './database.ts';

/** The same operations without their own transaction, for use inside a job transaction. */
export interface CreditSteps {
  /** Holds `request`'s credits or throws `quota_exceeded`; the caller's transaction must then roll back. */
  reserve(request: ReservationRequest): Reservation;
  /** Releases a reservation's credits: `commit` spends them, `refund` returns them to the day they came from. */
  settle(kind: 'commit' | 'refund', reservation: Reservation, now: number): void;
}

/** Builds the reservation steps and their transactional wrappers over `book`. */
export function createCreditReservations(
  database: SqliteDatabase,
  book: CreditBook,
  policy: QuotaPolicy,
): CreditReservations & { steps: CreditSteps } {
  /** Holds `cost` on one account day, or throws the refusal worded from what that day holds. */
  const hold = (scope: AccountScope, key: string, request: ReservationRequest, reservation: Reservation): void => {
    const { quotaDay, cost, jobId, requesterKey } = reservation;
    if (book.reserve(scope, key, quotaDay, cost, jobId, requesterKey, request.now)) return;
    throw quotaRefusal(policy, { scope, key, day: book.account(scope, key, quotaDay) }, request, cost);
  };

  const steps: CreditSteps = {
    reserve(request) {
      const reservation = planReservation(policy, request);
      hold('user', reservation.requesterKey, request, reservation);
      if (reservation.communityKey !== null && drawsOnCommunity(policy, request)) {
        // A refusal here throws out of the caller's transaction, which also undoes the user's hold above.
        hold('community', reservation.communityKey, request, reservation);
      }
      return reservation;
    },
    settle(kind, reservation, now) {
      const { requesterKey, jobId, quotaDay } = reservation;
      for (const held of heldCredits(reservation)) book.settle(kind, held.scope, held.key, quotaDay, held.cost, jobId, requesterKey, now);
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
