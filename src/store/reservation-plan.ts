// What a reservation will hold, decided before anything is written: the same rules for both stores.
import { BotError } from '../core/errors.ts';
import { utcDay, type QuotaPolicy } from '../core/quota-policy.ts';
import type { AccountScope, Reservation, ReservationRequest } from './store.ts';

/**
 * True when `request` also draws on its community's daily cap: a community is named, a cap is
 * configured, and the requester is not an admin. A cost of 0 still holds (and writes its ledger row).
 */
export function drawsOnCommunity(policy: QuotaPolicy, request: ReservationRequest): boolean {
  return (request.communityKey ?? null) !== null && policy.communityDailyCredits !== undefined && !request.unlimited;
}

/** The reservation `request` makes when it is granted; throws `internal` for a cost that is not a whole number of credits. */
export function planReservation(policy: QuotaPolicy, request: ReservationRequest): Reservation {
  if (!Number.isSafeInteger(request.cost) || request.cost < 0) {
    throw new BotError('internal', `a cost must be a whole number of credits; got ${request.cost}`);
  }
  const cost = request.unlimited ? 0 : request.cost;
  return {
    requesterKey: request.requesterKey,
    communityKey: request.communityKey ?? null,
    jobId: request.jobId,
    quotaDay: utcDay(request.now),
    cost,
    communityCost: drawsOnCommunity(policy, request) ? cost : 0,
  };
}

/** One account day a reservation holds credits on. */
export interface HeldCredits {
  /** A user's day or a community's cap. */
  scope: AccountScope;
  /** The platform-qualified user or community. */
  key: string;
  /** Credits held there. */
  cost: number;
}

/** The account days `reservation` holds credits on, the user's first: what settling it releases. */
export function heldCredits(reservation: Reservation): HeldCredits[] {
  const held: HeldCredits[] = [{ scope: 'user', key: reservation.requesterKey, cost: reservation.cost }];
  // No community row was written for a community that held nothing, so there is nothing to settle there.
  if (reservation.communityKey !== null && reservation.communityCost > 0) {
    held.push({ scope: 'community', key: reservation.communityKey, cost: reservation.communityCost });
  }
  return held;
}
