// Leases over SQLite: claim passes (takeover of expired leases, then FIFO admission under the shared caps), renewal, release.
import type { ClaimedJob, ClaimOutcome, ClaimRequest, IntakeLease, JobLease, JobStore } from '../../core/job-store.ts';
import { placeChanges, planClaimAdmission, waitingScanLimit, type SlotRow, type WaitingRow } from '../claim-rows.ts';
import { toJobRecord, type JobRow, type ReferenceRow } from '../job-rows.ts';
import type { SqliteDatabase } from './database.ts';

type LeaseMethods = Pick<JobStore, 'claimJobs' | 'renewLeases' | 'releaseLeases'>;

/** Prepares the lease statements once for `database`. */
export function createSqliteClaims(database: SqliteDatabase): LeaseMethods {
  // In-flight work whose process stopped renewing: at the provider, finished but not delivered, or a
  // create call whose outcome is unknown. Queued jobs with an expired lease simply wait again.
  const selectExpired = database.prepare<{ now: number; platforms: string; limit: number }, { id: string }>(
    `SELECT id FROM jobs
     WHERE lease_expires_at <= @now AND platform IN (SELECT value FROM json_each(@platforms))
       AND (state IN ('submitted', 'running', 'succeeded') OR (state = 'queued' AND submit_started_at IS NOT NULL))
     ORDER BY created_at, rowid LIMIT @limit`,
  );
  // Slots held over every process and platform: what the caps are counted against.
  const selectSlots = database.prepare<{ now: number }, SlotRow>(
    `SELECT requester_key, provider, count(*) AS user_slots, count(*) FILTER (WHERE state <> 'succeeded') AS provider_slots
     FROM jobs
     WHERE state IN ('submitted', 'running', 'succeeded')
        OR (state = 'queued' AND (lease_expires_at > @now OR submit_started_at IS NOT NULL))
     GROUP BY requester_key, provider`,
  );
  const selectWaiting = database.prepare<{ now: number; limit: number }, WaitingRow>(
    `SELECT id, requester_key, provider, platform, queue_position, queue_reason FROM jobs
     WHERE state = 'queued' AND submit_started_at IS NULL AND lease_expires_at <= @now
     ORDER BY created_at, rowid LIMIT @limit`,
  );
  const lease = database.prepare<{ id: string; owner: string; expiresAt: number }, JobRow>(
    `UPDATE jobs SET lease_owner = @owner, lease_epoch = lease_epoch + 1, lease_expires_at = @expiresAt,
       queue_position = NULL, queue_reason = NULL
     WHERE id = @id RETURNING *`,
  );
  const selectReferences = database.prepare<[string], ReferenceRow>(
    'SELECT position, data, url, filename, source, mime_type FROM job_references WHERE job_id = ? ORDER BY position',
  );
  const recordPosition = database.prepare('UPDATE jobs SET queue_position = ?, queue_reason = ? WHERE id = ?');
  const renewJob = database.prepare(
    'UPDATE jobs SET lease_expires_at = @expiresAt WHERE id = @id AND lease_owner = @owner AND lease_epoch = @epoch',
  );
  const renewIntake = database.prepare(
    'UPDATE intakes SET lease_expires_at = @expiresAt WHERE dedupe_key = @id AND lease_owner = @owner AND lease_epoch = @epoch',
  );
  const releaseJob = database.prepare(
    'UPDATE jobs SET lease_owner = NULL, lease_expires_at = 0 WHERE id = @id AND lease_owner = @owner AND lease_epoch = @epoch',
  );

  const takeLease = (id: string, owner: string, expiresAt: number): ClaimedJob | undefined => {
    const row = lease.get({ id, owner, expiresAt });
    if (row === undefined) return undefined;
    return {
      job: toJobRecord(row, selectReferences.all(id)),
      lease: { jobId: id, owner, epoch: row.lease_epoch },
      takenOver: row.lease_epoch > 1,
    };
  };

  const claim = database.transaction((request: ClaimRequest): ClaimOutcome => {
    const { owner, now } = request;
    const expiresAt = now + request.leaseMs;
    const platforms = JSON.stringify(request.platforms);
    const claimed: ClaimedJob[] = [];
    for (const { id } of selectExpired.all({ now, platforms, limit: request.limit })) {
      const taken = takeLease(id, owner, expiresAt);
      if (taken) claimed.push({ ...taken, takenOver: true });
    }

    const slots = selectSlots.all({ now });
    const waitingRows = selectWaiting.all({ now, limit: waitingScanLimit });
    const plan = planClaimAdmission(slots, waitingRows, request, Math.max(0, request.limit - claimed.length));
    for (const entry of plan.admitted) {
      const taken = takeLease(entry.jobId, owner, expiresAt);
      if (taken) claimed.push(taken);
    }

    // Places are written only when they changed, and reported as moves only when one was told before.
    const { changed, moved } = placeChanges(waitingRows, plan.positions);
    for (const { id, place } of changed) recordPosition.run(place.position, place.reason, id);
    return { claimed, positions: plan.positions, moved };
  });

  const renew = database.transaction((owner: string, leases: readonly (JobLease | IntakeLease)[], expiresAt: number) => {
    const held = new Set<string>();
    for (const lease of leases) {
      const isJob = 'jobId' in lease;
      const id = isJob ? lease.jobId : lease.dedupeKey;
      const statement = isJob ? renewJob : renewIntake;
      if (statement.run({ id, owner, epoch: lease.epoch, expiresAt }).changes === 1) held.add(id);
    }
    return held;
  });

  const releaseIntake = database.prepare(
    'UPDATE intakes SET lease_owner = NULL, lease_expires_at = 0 WHERE dedupe_key = @id AND lease_owner = @owner AND lease_epoch = @epoch',
  );
  const release = database.transaction((leases: readonly (JobLease | IntakeLease)[]) => {
    for (const held of leases) {
      if ('jobId' in held) releaseJob.run({ id: held.jobId, owner: held.owner, epoch: held.epoch });
      else releaseIntake.run({ id: held.dedupeKey, owner: held.owner, epoch: held.epoch });
    }
  });

  return {
    // IMMEDIATE: the pass reads counts and then writes leases; taking the write lock first makes the
    // whole pass one serial step across processes, so the caps hold over all of them.
    claimJobs: async (request) => claim.immediate(request),
    renewLeases: async (owner, leases, now, leaseMs) => renew.immediate(owner, leases, now + leaseMs),
    releaseLeases: async (leases) => release.immediate(leases),
  };
}
