// Leases over PostgreSQL: claim passes (takeover of expired leases, then FIFO admission under the shared caps), renewal, release.
import type pg from 'pg';
import type { ClaimedJob, ClaimRequest, IntakeLease, JobLease, JobStore } from '../../core/job-store.ts';
import { placeChanges, planClaimAdmission, waitingScanLimit, type SlotRow, type WaitingRow } from '../claim-rows.ts';
import type { JobRow } from '../job-rows.ts';
import { claimLock, inTransaction, transactionLockSql, workChannel, type Queryable } from './postgres-connection.ts';
import { toJobRecords } from './postgres-job-rows.ts';

type LeaseMethods = Pick<JobStore, 'claimJobs' | 'renewLeases' | 'releaseLeases'>;

/** What taking a lease sets; $1 owner, $2 expiry. The place in line is cleared: the job is not waiting any more. */
const takeLease = `lease_owner = $1, lease_epoch = jobs.lease_epoch + 1, lease_expires_at = $2, queue_position = NULL, queue_reason = NULL`;

// In-flight work whose process stopped renewing: at the provider, finished but not delivered, or a
// create call whose outcome is unknown. Queued jobs with an expired lease simply wait again.
// SKIP LOCKED: a row another transaction is settling right now is left for the next pass.
const takeOverSql = `
WITH expired AS (
  SELECT id FROM jobs
  WHERE lease_expires_at <= $3 AND platform = ANY($4::text[])
    AND (state IN ('submitted', 'running', 'succeeded') OR (state = 'queued' AND submit_started_at IS NOT NULL))
  ORDER BY created_at, seq LIMIT $5
  FOR UPDATE SKIP LOCKED)
UPDATE jobs SET ${takeLease} FROM expired WHERE jobs.id = expired.id RETURNING jobs.*`;

// Slots held over every process and platform: what the caps are counted against.
const slotsSql = `
SELECT requester_key, provider, count(*) AS user_slots, count(*) FILTER (WHERE state <> 'succeeded') AS provider_slots
FROM jobs
WHERE state IN ('submitted', 'running', 'succeeded')
   OR (state = 'queued' AND (lease_expires_at > $1 OR submit_started_at IS NOT NULL))
GROUP BY requester_key, provider`;

const waitingSql = `
SELECT id, requester_key, provider, platform, queue_position, queue_reason FROM jobs
WHERE state = 'queued' AND submit_started_at IS NULL AND lease_expires_at <= $1
ORDER BY created_at, seq LIMIT $2`;

// The waiting conditions are checked again on the locked rows: a job's old holder may have changed it meanwhile.
const admitSql = `
WITH chosen AS (
  SELECT id FROM jobs
  WHERE id = ANY($3::text[]) AND state = 'queued' AND submit_started_at IS NULL AND lease_expires_at <= $4
  FOR UPDATE SKIP LOCKED)
UPDATE jobs SET ${takeLease} FROM chosen WHERE jobs.id = chosen.id RETURNING jobs.*`;

const recordPositionsSql = `
UPDATE jobs SET queue_position = place.position, queue_reason = place.reason
FROM unnest($1::text[], $2::integer[], $3::text[]) AS place (id, position, reason)
WHERE jobs.id = place.id AND jobs.state = 'queued'`;

const renewSql = `
WITH renewed_jobs AS (
  UPDATE jobs SET lease_expires_at = $2
  FROM unnest($3::text[], $4::integer[]) AS held (id, epoch)
  WHERE jobs.id = held.id AND jobs.lease_epoch = held.epoch AND jobs.lease_owner = $1
  RETURNING jobs.id),
renewed_intakes AS (
  UPDATE intakes SET lease_expires_at = $2
  FROM unnest($5::text[], $6::integer[]) AS held (dedupe_key, epoch)
  WHERE intakes.dedupe_key = held.dedupe_key AND intakes.lease_epoch = held.epoch AND intakes.lease_owner = $1
  RETURNING intakes.dedupe_key AS id)
SELECT id FROM renewed_jobs UNION ALL SELECT id FROM renewed_intakes`;

// The epoch stays, so the next claim still increments it and the old holder's writes stay fenced off.
const releaseSql = `
WITH released AS (
  UPDATE jobs SET lease_owner = NULL, lease_expires_at = 0
  FROM unnest($1::text[], $2::integer[], $3::text[]) AS held (id, epoch, owner)
  WHERE jobs.id = held.id AND jobs.lease_epoch = held.epoch AND jobs.lease_owner = held.owner
  RETURNING jobs.id),
released_intakes AS (
  UPDATE intakes SET lease_owner = NULL, lease_expires_at = 0
  FROM unnest($5::text[], $6::integer[], $7::text[]) AS held (key, epoch, owner)
  WHERE intakes.dedupe_key = held.key AND intakes.lease_epoch = held.epoch AND intakes.lease_owner = held.owner
  RETURNING intakes.dedupe_key)
SELECT pg_notify($4, '') WHERE EXISTS (SELECT 1 FROM released) OR EXISTS (SELECT 1 FROM released_intakes)`;

/** Orders rows as the line does: oldest first, then in insertion order. */
function byAge(left: JobRow & { seq: number }, right: JobRow & { seq: number }): number {
  return left.created_at - right.created_at || left.seq - right.seq;
}

/** Reads what every process holds and who waits, then lets `planAdmission` decide. */
async function planPass(client: Queryable, request: ClaimRequest, limit: number) {
  const slots = (await client.query<SlotRow>(slotsSql, [request.now])).rows;
  const waitingRows = (await client.query<WaitingRow>(waitingSql, [request.now, waitingScanLimit])).rows;
  return { plan: planClaimAdmission(slots, waitingRows, request, limit), waitingRows };
}

/** Leases the rows `sql` returns to `request.owner`, in line order, with their records. */
async function lease(client: Queryable, request: ClaimRequest, sql: string, values: unknown[], takenOver?: boolean): Promise<ClaimedJob[]> {
  const expiresAt = request.now + request.leaseMs;
  const rows = (await client.query<JobRow & { seq: number }>(sql, [request.owner, expiresAt, ...values])).rows.sort(byAge);
  const records = await toJobRecords(client, rows);
  return rows.map((row, index) => ({
    job: records[index] as ClaimedJob['job'],
    lease: { jobId: row.id, owner: request.owner, epoch: row.lease_epoch },
    // A queued job is taken over when it had been claimed before (its holder stopped before submitting).
    takenOver: takenOver ?? row.lease_epoch > 1,
  }));
}

/** Builds the lease methods over `pool`. */
export function createPostgresClaims(pool: pg.Pool): LeaseMethods {
  return {
    claimJobs: (request) =>
      inTransaction(pool, async (client) => {
        // One claim pass at a time over all processes: the slot counts read below stay true until this
        // pass's leases are written, so the caps hold across processes, not only per row.
        await client.query(transactionLockSql(claimLock));
        const claimed = await lease(client, request, takeOverSql, [request.now, request.platforms, request.limit], true);
        const { plan, waitingRows } = await planPass(client, request, Math.max(0, request.limit - claimed.length));
        if (plan.admitted.length > 0) {
          claimed.push(...(await lease(client, request, admitSql, [plan.admitted.map((entry) => entry.jobId), request.now])));
        }

        // Places are written only when they changed, and reported as moves only when one was told before.
        const { changed, moved } = placeChanges(waitingRows, plan.positions);
        if (changed.length > 0) {
          await client.query(recordPositionsSql, [
            changed.map((entry) => entry.id),
            changed.map((entry) => entry.place.position),
            changed.map((entry) => entry.place.reason),
          ]);
        }
        return { claimed, positions: plan.positions, moved };
      }),

    async renewLeases(owner, leases, now, leaseMs) {
      if (leases.length === 0) return new Set();
      const jobs = leases.filter((held): held is JobLease => 'jobId' in held);
      const intakes = leases.flatMap((held) => ('jobId' in held ? [] : [held]));
      const result = await pool.query<{ id: string }>(renewSql, [
        owner, now + leaseMs,
        jobs.map((held) => held.jobId), jobs.map((held) => held.epoch),
        intakes.map((held) => held.dedupeKey), intakes.map((held) => held.epoch),
      ]);
      return new Set(result.rows.map((row) => row.id));
    },

    async releaseLeases(leases) {
      if (leases.length === 0) return;
      const jobs = leases.filter((held): held is JobLease => 'jobId' in held);
      const intakes = leases.filter((held): held is IntakeLease => 'dedupeKey' in held);
      // The released jobs and intakes are claimable at once: other processes are told so.
      await pool.query(releaseSql, [
        jobs.map((held) => held.jobId), jobs.map((held) => held.epoch), jobs.map((held) => held.owner), workChannel,
        intakes.map((held) => held.dedupeKey), intakes.map((held) => held.epoch), intakes.map((held) => held.owner),
      ]);
    },
  };
}
