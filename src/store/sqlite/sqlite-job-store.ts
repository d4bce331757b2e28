// The JobStore over SQLite: job rows and their state machine, settling credits in the same transaction.
import type { SerializedError } from '../../core/errors.ts';
import type { JobHistory } from '../../core/job-history.ts';
import type { CreateJobOutcome, JobLease, JobRecord, JobStore, NewJob } from '../../core/job-store.ts';
import type { KeptImage } from '../../core/kept-image.ts';
import { createdJobRecord, reservationRequestOf } from '../created-job.ts';
import { finalStates } from '../final-states.ts';
import { reservationOf, type ReservationColumns } from '../job-reservation.ts';
import { referenceColumns, requestJson, toBlob, toJobRecord, type JobRow, type ReferenceRow } from '../job-rows.ts';
import { fenceRefusal, holds, invalidTransition, leaseLost, sameSubmission, type FenceRow } from '../lease-fence.ts';
import type { RecentJobsFilter } from '../store.ts';
import type { CreditSteps } from './credit-reservations.ts';
import type { SqliteDatabase } from './database.ts';
import type { SqliteKeptImages } from './sqlite-kept-images.ts';

/** The JobStore plus what operators need. */
export interface SqliteJobStore
  extends Omit<
    JobStore,
    | 'claimJobs' | 'renewLeases' | 'releaseLeases' | 'rememberEvent' | 'forgetEvent' | 'watchForWork'
    | 'markAccepted' | 'recordAttempts' | 'refundSpend' | 'providerSlotsInUse'
  >, JobHistory {
  /** Latest jobs first, optionally of one state and/or requester. */
  listRecent(filter: RecentJobsFilter): Promise<JobRecord[]>;
}

type SettlementRow = ReservationColumns & Pick<JobRow, 'state' | 'lease_owner' | 'lease_epoch'>;

/** The named parameters that fence a write to `lease`. */
function fence(lease: JobLease): { jobId: string; epoch: number; owner: string } {
  return { jobId: lease.jobId, epoch: lease.epoch, owner: lease.owner };
}

/**
 * Prepares every job statement once; `steps` moves the credits inside the job transactions and
 * `images` stores a delivered job's kept image in the delivering one.
 */
export function createSqliteJobStore(database: SqliteDatabase, steps: CreditSteps, images: Pick<SqliteKeptImages, 'keep'>): SqliteJobStore {
  const insertJob = database.prepare(
    `INSERT INTO jobs (id, dedupe_key, state, requester_key, community_key, provider, model, request_json, origin_json,
       cost, community_cost, quota_day, created_at, updated_at, platform)
     VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertReference = database.prepare(
    'INSERT INTO job_references (job_id, position, data, url, filename, source, mime_type) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const selectJob = database.prepare<[string], JobRow>('SELECT * FROM jobs WHERE id = ?');
  const selectByDedupe = database.prepare<[string], JobRow>('SELECT * FROM jobs WHERE dedupe_key = ?');
  const deleteIntake = database.prepare('DELETE FROM intakes WHERE dedupe_key = ?');
  const selectReferences = database.prepare<[string], ReferenceRow>(
    'SELECT position, data, url, filename, source, mime_type FROM job_references WHERE job_id = ? ORDER BY position',
  );
  // Listings show what was asked, never the reference images: reading their bytes (megabytes per job) would be waste.
  const selectReferenceDescriptions = database.prepare<[string], ReferenceRow>(
    'SELECT position, NULL AS data, url, filename, source, mime_type FROM job_references WHERE job_id = ? ORDER BY position',
  );
  const selectSettlement = database.prepare<[string], SettlementRow>(
    'SELECT state, requester_key, community_key, cost, community_cost, quota_day, lease_owner, lease_epoch FROM jobs WHERE id = ?',
  );
  const selectFence = database.prepare<[string], FenceRow>('SELECT state, task_id, lease_owner, lease_epoch FROM jobs WHERE id = ?');
  // Every write after the claim names the lease: a process that lost it changes nothing.
  const fenced = 'id = @jobId AND lease_epoch = @epoch AND lease_owner IS @owner';
  const updateSubmitting = database.prepare(
    `UPDATE jobs SET submit_started_at = @now, updated_at = @now WHERE ${fenced} AND state = 'queued'`,
  );
  const updateSubmitted = database.prepare(
    `UPDATE jobs SET state = 'submitted', task_id = @taskId, submitted_at = @now, updated_at = @now WHERE ${fenced} AND state = 'queued'`,
  );
  const updateRunning = database.prepare(
    `UPDATE jobs SET state = 'running', progress = coalesce(@progress, progress), updated_at = @now
     WHERE ${fenced} AND state IN ('submitted', 'running')`,
  );
  const updateSucceeded = database.prepare(
    `UPDATE jobs SET state = 'succeeded', result_url = @url, result_data = @data, result_mime = @mime, finished_at = @now, updated_at = @now
     WHERE ${fenced} AND state IN ('queued', 'submitted', 'running')`,
  );
  const updateFailed = database.prepare(
    `UPDATE jobs SET state = 'failed', error_json = ?, result_data = NULL, finished_at = ?, updated_at = ? WHERE id = ?`,
  );
  const updateDelivered = database.prepare(
    `UPDATE jobs SET state = 'delivered', delivered_message_id = ?, result_data = NULL, updated_at = ? WHERE id = ?`,
  );
  const selectByStates = database.prepare<[string], JobRow>(
    'SELECT * FROM jobs WHERE state IN (SELECT value FROM json_each(?)) ORDER BY created_at, rowid',
  );
  const countByRequester = database
    .prepare<[string, string], number>(
      'SELECT count(*) FROM jobs WHERE requester_key = ? AND state IN (SELECT value FROM json_each(?))',
    )
    .pluck();
  const purgeFinished = database.prepare(
    'DELETE FROM jobs WHERE state IN (SELECT value FROM json_each(?)) AND created_at < ?',
  );
  const selectRecent = database.prepare<{ state: string | null; requester: string | null; limit: number }, JobRow>(
    `SELECT * FROM jobs WHERE (@state IS NULL OR state = @state) AND (@requester IS NULL OR requester_key = @requester)
     ORDER BY created_at DESC, rowid DESC LIMIT @limit`,
  );

  const withReferences = (row: JobRow): JobRecord => toJobRecord(row, selectReferences.all(row.id));
  const withReferenceDescriptions = (row: JobRow): JobRecord => toJobRecord(row, selectReferenceDescriptions.all(row.id));

  /** Why a fenced write matched no row: the lease moved on, or the job is not in a state that allows it. */
  const refusal = (lease: JobLease, target: string) => fenceRefusal(selectFence.get(lease.jobId), lease, target);

  const createJob = database.transaction((job: NewJob): CreateJobOutcome => {
    if (job.dedupeKey !== undefined) {
      const existing = selectByDedupe.get(job.dedupeKey);
      if (existing !== undefined) return { job: withReferences(existing), duplicate: true };
    }
    const reservation = steps.reserve(reservationRequestOf(job));
    const { request } = job;
    insertJob.run(
      job.id, job.dedupeKey ?? null, job.requesterKey, job.communityKey ?? null, request.provider, request.model,
      requestJson(request), JSON.stringify(job.origin), reservation.cost, reservation.communityCost,
      reservation.quotaDay, job.now, job.now, job.origin.platform,
    );
    request.references.forEach((reference, position) => {
      insertReference.run(job.id, position, ...referenceColumns(reference));
    });
    // The request is a job now: its intake has done its work.
    if (job.dedupeKey !== undefined) deleteIntake.run(job.dedupeKey);
    return { job: createdJobRecord(job, reservation), duplicate: false };
  });

  const markFailed = database.transaction((lease: JobLease, error: SerializedError, now: number) => {
    const jobId = lease.jobId;
    const row = selectSettlement.get(jobId);
    if (row !== undefined && !holds(row, lease)) throw leaseLost(lease);
    if (row === undefined || row.state === 'delivered') throw invalidTransition(jobId, 'failed', row?.state);
    // A second report of the same failure (e.g. timeout racing a provider error) refunds nothing.
    if (row.state === 'failed') return { refunded: 0 };
    updateFailed.run(JSON.stringify(error), now, now, jobId);
    steps.settle('refund', reservationOf(jobId, row), now);
    return { refunded: row.cost };
  });

  const markDelivered = database.transaction((lease: JobLease, messageId: string, now: number, kept: KeptImage | undefined) => {
    const jobId = lease.jobId;
    const row = selectSettlement.get(jobId);
    if (row !== undefined && !holds(row, lease)) throw leaseLost(lease);
    // Recovery may deliver again after a crash; the first recorded message id and commit stand.
    if (row?.state === 'delivered') return;
    if (row === undefined || row.state !== 'succeeded') throw invalidTransition(jobId, 'delivered', row?.state);
    updateDelivered.run(messageId, now, jobId);
    steps.settle('commit', reservationOf(jobId, row), now);
    if (kept !== undefined) images.keep(jobId, kept, now);
  });

  const listRecent = async (filter: RecentJobsFilter): Promise<JobRecord[]> =>
    selectRecent
      .all({ state: filter.state ?? null, requester: filter.requesterKey ?? null, limit: filter.limit })
      .map(withReferenceDescriptions);

  return {
    createJob: async (job) => createJob.immediate(job),
    async get(jobId) {
      const row = selectJob.get(jobId);
      return row === undefined ? undefined : withReferences(row);
    },
    async getByDedupeKey(dedupeKey) {
      const row = selectByDedupe.get(dedupeKey);
      return row === undefined ? undefined : withReferences(row);
    },
    async markSubmitting(lease, now) {
      if (updateSubmitting.run({ ...fence(lease), now }).changes === 1) return;
      throw refusal(lease, 'submitting');
    },
    async markSubmitted(lease, taskId, now) {
      if (updateSubmitted.run({ ...fence(lease), taskId, now }).changes === 1) return;
      // Recording the same submission twice is harmless; anything else is a runner bug.
      if (sameSubmission(selectFence.get(lease.jobId), lease, taskId)) return;
      throw refusal(lease, 'submitted');
    },
    async markRunning(lease, progress, now) {
      if (updateRunning.run({ ...fence(lease), progress, now }).changes === 1) return;
      throw refusal(lease, 'running');
    },
    async markSucceeded(lease, result, now) {
      const values = { ...fence(lease), url: result.url ?? null, data: toBlob(result.data), mime: result.mimeType ?? null, now };
      if (updateSucceeded.run(values).changes === 1) return;
      throw refusal(lease, 'succeeded');
    },
    markFailed: async (lease, error, now) => markFailed.immediate(lease, error, now),
    markDelivered: async (lease, messageId, now, kept) => markDelivered.immediate(lease, messageId, now, kept),
    listByState: async (states) => selectByStates.all(JSON.stringify(states)).map(withReferences),
    countByRequester: async (requesterKey, states) => countByRequester.get(requesterKey, JSON.stringify(states)) ?? 0,
    // References and kept images go with their jobs in the same statement (ON DELETE CASCADE); the ledger stays.
    purgeFinishedBefore: async (cutoff) => purgeFinished.run(JSON.stringify(finalStates), cutoff).changes,
    listRecent,
    // The operators' listing narrowed to one requester: same query, same order.
    recentJobsOf: (requesterKey, limit) => listRecent({ requesterKey, limit }),
  };
}
