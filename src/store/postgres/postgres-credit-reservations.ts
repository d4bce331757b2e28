// Reserving a job's credits (user day and community cap) and settling them in PostgreSQL: the quota half of a job's transactions.
import type pg from 'pg';
import type { QuotaPolicy } from '../../core/quota-policy.ts';
import { quotaRefusal } from '../quota-refusal.ts';
import { drawsOnCommunity, heldCredits, planReservation } from '../reservation-plan.ts';
import type { AccountScope, CreditReservations, Reservation, ReservationRequest } from '../store.ts';
import { inTransaction, type Queryable } from './postgres-connection.ts';
import type { PostgresCreditBook } from './postgres-credit-book.ts';

/** The same operations on a transaction the caller holds, for use inside a job transaction. */
export interface PostgresCreditSteps {
  /** What a reservation for `request` holds, computed before anything is written (a job row stores it). */
  plan(request: ReservationRequest): Reservation;
  /** Holds `plan(request)`'s credits or throws `quota_exceeded`; the caller's transaction must then roll back. */
  reserve(client: Queryable, request: ReservationRequest): Promise<Reservation>;
  /** Releases a reservation's credits: `commit` spends them, `refund` returns them to the day they came from. */
  settle(client: Queryable, kind: 'commit' | 'refund', reservation: Reservation, now: number): Promise<void>;
}

/** Builds the reservation steps and their standalone transactional wrappers over `book`. */
export function createPostgresCreditReservations(
  pool: pg.Pool,
  book: PostgresCreditBook,
  policy: QuotaPolicy,
): CreditReservations & { steps: PostgresCreditSteps } {
  /** Holds `cost` on one account day, or throws the refusal worded from what that day holds. */
  const hold = async (client: Queryable, scope: AccountScope, key: string, request: ReservationRequest, reservation: Reservation): Promise<void> => {
    const account = { scope, key, day: reservation.quotaDay };
    const { cost, jobId, requesterKey } = reservation;
    if (await book.reserve(client, account, cost, jobId, requesterKey, request.now)) return;
    throw quotaRefusal(policy, { scope, key, day: await book.account(client, account) }, request, cost);
  };

  const plan = (request: ReservationRequest): Reservation => planReservation(policy, request);

  const steps: PostgresCreditSteps = {
    plan,
    async reserve(client, request) {
      const reservation = plan(request);
      await hold(client, 'user', reservation.requesterKey, request, reservation);
      if (reservation.communityKey !== null && drawsOnCommunity(policy, request)) {
        // A refusal here throws out of the caller's transaction, which also undoes the user's hold above.
        await hold(client, 'community', reservation.communityKey, request, reservation);
      }
      return reservation;
    },
    async settle(client, kind, reservation, now) {
      const { requesterKey, jobId, quotaDay: day } = reservation;
      for (const held of heldCredits(reservation)) {
        await book.settle(client, kind, { scope: held.scope, key: held.key, day }, held.cost, jobId, requesterKey, now);
      }
    },
  };

  return {
    steps,
    reserveCredits: (request) => inTransaction(pool, (client) => steps.reserve(client, request)),
    commitCredits: (reservation, now) => inTransaction(pool, (client) => steps.settle(client, 'commit', reservation, now)),
    refundCredits: (reservation, now) => inTransaction(pool, (client) => steps.settle(client, 'refund', reservation, now)),
  };
}
