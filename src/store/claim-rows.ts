// The admission half of a claim pass, for both stores: the slot and waiting rows each store reads, the plan made from them, and which places changed.
import { planAdmission, type AdmissionEntry, type AdmissionPlan } from '../core/admission.ts';
import type { ClaimOutcome, ClaimRequest, QueuePosition } from '../core/job-store.ts';
import type { ProviderId } from '../core/request.ts';

/** How many waiting jobs one claim pass looks at; jobs further back keep their place until the line moves. */
export const waitingScanLimit = 1000;

/** Slots held by one requester at one provider, over every process and platform. */
export interface SlotRow {
  /** The platform-qualified requester. */
  requester_key: string;
  /** The provider the jobs run at. */
  provider: ProviderId;
  /** Jobs holding a user slot: claimed, at the provider, or finished and not yet delivered. */
  user_slots: number;
  /** Jobs holding a provider slot: the same less the finished ones (the provider is done with them). */
  provider_slots: number;
}

/** A waiting job as the pass reads it, oldest first. */
export interface WaitingRow {
  /** The job's id. */
  id: string;
  /** The platform-qualified requester. */
  requester_key: string;
  /** The provider it waits for. */
  provider: ProviderId;
  /** Where it was asked for: only a process delivering to that platform may admit it. */
  platform: string;
  /** The place last recorded (and told), or null when none was recorded yet. */
  queue_position: number | null;
  /** Why it waited at the place last recorded. */
  queue_reason: string | null;
}

/** A waiting job whose recorded place is out of date. */
export interface PlaceChange {
  /** The job's id. */
  id: string;
  /** Its place now. */
  place: QueuePosition;
}

/** Lets `planAdmission` decide which of `waiting` start now (at most `limit`) and where the others stand. */
export function planClaimAdmission(
  slots: readonly SlotRow[],
  waiting: readonly WaitingRow[],
  request: ClaimRequest,
  limit: number,
): AdmissionPlan {
  const userActive = new Map<string, number>();
  const providerActive = new Map<string, number>();
  for (const slot of slots) {
    userActive.set(slot.requester_key, (userActive.get(slot.requester_key) ?? 0) + slot.user_slots);
    providerActive.set(slot.provider, (providerActive.get(slot.provider) ?? 0) + slot.provider_slots);
  }
  const platformOf = new Map(waiting.map((row) => [row.id, row.platform]));
  const entries: AdmissionEntry[] = waiting.map((row) => ({ jobId: row.id, requesterKey: row.requester_key, provider: row.provider }));
  return planAdmission(
    { userActive, providerActive, waiting: entries },
    {
      maxPerUser: request.maxPerUser,
      providerLimit: request.providerLimit,
      limit,
      admissible: (entry) => (request.platforms as readonly string[]).includes(platformOf.get(entry.jobId) ?? ''),
    },
  );
}

/**
 * The places to write (only those that changed) and the moves to report (only of jobs whose place
 * was told before: the first place is told by whoever started the job).
 */
export function placeChanges(
  waiting: readonly WaitingRow[],
  positions: ReadonlyMap<string, QueuePosition>,
): { changed: PlaceChange[]; moved: ClaimOutcome['moved'] } {
  const changed: PlaceChange[] = [];
  const moved: ClaimOutcome['moved'] = [];
  for (const row of waiting) {
    const place = positions.get(row.id);
    if (place === undefined || (row.queue_position === place.position && row.queue_reason === place.reason)) continue;
    changed.push({ id: row.id, place });
    if (row.queue_position !== null) moved.push({ jobId: row.id, position: place });
  }
  return { changed, moved };
}
