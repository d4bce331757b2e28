// Reserving a job's credits (user day and community cap) and settling them in PostgreSQL: the quota half of a job's transactions.
import type pg from 'pg';
import { BotError } from '../../core/errors.ts';
import { quotaExceededMessage, utcDay, type QuotaPolicy } from '../../core/quota-policy.ts';
import type { AccountScope, CreditReservations, Reservation, ReservationRequest } from '../store.ts';
import { inTransaction, type Queryable } from './postgres-connection.ts';
import type { PostgresCreditBook } from './postgres-credit-book.ts';

/** The same operations on a transaction the caller holds, for use inside a job transaction. */
export interface PostgresCreditSteps {
  /** What a reservation for `request` holds, computed before anything is written (a job row stores it). */
  plan(request: ReservationRequest): Reservation;
  /** Holds `plan(request)`'s credits or throws `quota_exceeded`; the caller's transaction must then roll back. */
  reserve(client: Queryable, request: ReservationRequest): Promise<Reservation>;
  settle(client: Queryable, kind: 'commit' | 'refund', reservation: Reservation, now: number): Promise<void>;
}

/** Builds the reservation steps and their standalone transactional wrappers over `book`. */
export function createPostgresCreditReservations(
  pool: pg.Pool,
  book: PostgresCreditBook,
  policy: QuotaPolicy,
): CreditReservations & { steps: PostgresCreditSteps } {
  const refuse = async (client: Queryable, scope: AccountScope, key: string, request: ReservationRequest, cost: number, day: string): Promise<never> => {
    const account = await book.account(client, { scope, key, day });
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

  const plan = (request: ReservationRequest): Reservation => {
    if (!Number.isSafeInteger(request.cost) || request.cost < 0) {
      throw new BotError('internal', `a cost must be a whole number of credits; got ${request.cost}`);
    }
    const cost = request.unlimited ? 0 : request.cost;
    const communityKey = request.communityKey ?? null;
    const capped = communityKey !== null && policy.communityDailyCredits !== undefined && !request.unlimited;
    return { requesterKey: request.requesterKey, communityKey, jobId: request.jobId, quotaDay: utcDay(request.now), cost, communityCost: capped ? cost : 0 };
  };

  const steps: PostgresCreditSteps = {
    plan,
    async reserve(client, request) {
      const reservation = plan(request);
      const { requesterKey, communityKey, jobId, quotaDay: day, cost } = reservation;
      if (!(await book.reserve(client, { scope: 'user', key: requesterKey, day }, cost, jobId, requesterKey, request.now))) {
        await refuse(client, 'user', requesterKey, request, cost, day);
      }
      if (communityKey !== null && policy.communityDailyCredits !== undefined && !request.unlimited) {
        // A refusal here throws out of the caller's transaction, which also undoes the user's hold above.
        const account = { scope: 'community' as const, key: communityKey, day };
        if (!(await book.reserve(client, account, cost, jobId, requesterKey, request.now))) {
          await refuse(client, 'community', communityKey, request, cost, day);
        }
      }
      return reservation;
    },
    async settle(client, kind, reservation, now) {
      const { requesterKey, communityKey, jobId, quotaDay: day } = reservation;
      await book.settle(client, kind, { scope: 'user', key: requesterKey, day }, reservation.cost, jobId, requesterKey, now);
      if (communityKey !== null && reservation.communityCost > 0) {
        await book.settle(client, kind, { scope: 'community', key: communityKey, day }, reservation.communityCost, jobId, requesterKey, now);
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
