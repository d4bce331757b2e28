// The credits a stored job holds, read back from its row as the Reservation that settling the job releases.
import type { JobRow } from './job-rows.ts';
import type { Reservation } from './store.ts';

/** The columns of a job row that record its reservation. */
export type ReservationColumns = Pick<JobRow, 'requester_key' | 'community_key' | 'cost' | 'community_cost' | 'quota_day'>;

/** The reservation job `jobId` holds, as its row recorded it when the job was created. */
export function reservationOf(jobId: string, row: ReservationColumns): Reservation {
  return {
    requesterKey: row.requester_key,
    communityKey: row.community_key,
    jobId,
    quotaDay: row.quota_day,
    cost: row.cost,
    communityCost: row.community_cost,
  };
}
