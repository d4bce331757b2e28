// What creating a job derives from the core's NewJob, for both stores: the credits to reserve and the record returned without reading it back.
import type { JobRecord, NewJob } from '../core/job-store.ts';
import type { Reservation, ReservationRequest } from './store.ts';

/** The reservation `job` asks for, written on its ledger rows under the job's id. */
export function reservationRequestOf(job: NewJob): ReservationRequest {
  return {
    requesterKey: job.requesterKey,
    communityKey: job.communityKey ?? null,
    cost: job.cost,
    unlimited: job.unlimited,
    jobId: job.id,
    resolution: job.request.resolution,
    now: job.now,
  };
}

/** The record of `job` just inserted as queued with `reservation` held, as `createJob` returns it (no read back needed). */
export function createdJobRecord(job: NewJob, reservation: Pick<Reservation, 'cost' | 'quotaDay'>): JobRecord {
  return {
    id: job.id,
    dedupeKey: job.dedupeKey ?? null,
    state: 'queued',
    requesterKey: job.requesterKey,
    communityKey: job.communityKey ?? null,
    provider: job.request.provider,
    model: job.request.model,
    request: job.request,
    origin: job.origin,
    taskId: null,
    progress: null,
    cost: reservation.cost,
    quotaDay: reservation.quotaDay,
    error: null,
    result: null,
    deliveredMessageId: null,
    submitStartedAt: null,
    attempts: [],
    createdAt: job.now,
    submittedAt: null,
    finishedAt: null,
    updatedAt: job.now,
  };
}
