// Intakes over PostgreSQL: acknowledged requests that have not become jobs yet, leased like jobs so one process finishes each.
import type pg from 'pg';
import type { ClaimedIntake, IntakeStore } from '../../core/job-store.ts';
import { toIntake, type IntakeRow } from '../intake-rows.ts';

/** An intake row with PostgreSQL's insertion order, which breaks ties between intakes created in the same millisecond. */
type OrderedIntakeRow = IntakeRow & { seq: number };

// Not recorded when the request is a job already (a retried event that arrived after the job was made).
const recordSql = `
INSERT INTO intakes (dedupe_key, origin_json, prompt, payload_json, created_at, platform, lease_owner, lease_epoch, lease_expires_at)
SELECT $1, $2, $3, $4, $5, $6, $7, 1, $8
WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE dedupe_key = $1)
ON CONFLICT (dedupe_key) DO NOTHING`;

// SKIP LOCKED: two processes taking intakes over at once split them instead of waiting for each other.
const claimSql = `
WITH expired AS (
  SELECT dedupe_key FROM intakes
  WHERE lease_expires_at <= $1 AND platform = ANY($2::text[])
  ORDER BY created_at, seq LIMIT $3
  FOR UPDATE SKIP LOCKED)
UPDATE intakes SET lease_owner = $4, lease_epoch = intakes.lease_epoch + 1, lease_expires_at = $5
FROM expired WHERE intakes.dedupe_key = expired.dedupe_key
RETURNING intakes.*`;

/** Builds the intake methods over `pool`. */
export function createPostgresIntakes(pool: pg.Pool): IntakeStore {
  return {
    async recordIntake(intake, holder) {
      const result = await pool.query(recordSql, [
        intake.dedupeKey,
        JSON.stringify(intake.origin),
        intake.prompt,
        intake.payload === undefined ? null : JSON.stringify(intake.payload),
        intake.createdAt,
        intake.origin.platform,
        holder.owner,
        holder.now + holder.leaseMs,
      ]);
      return result.rowCount === 1 ? { dedupeKey: intake.dedupeKey, owner: holder.owner, epoch: 1 } : undefined;
    },
    async clearIntake(dedupeKey) {
      await pool.query('DELETE FROM intakes WHERE dedupe_key = $1', [dedupeKey]);
    },
    async claimIntakes(request): Promise<ClaimedIntake[]> {
      const result = await pool.query<OrderedIntakeRow>(claimSql, [
        request.now, request.platforms, request.limit, request.owner, request.now + request.leaseMs,
      ]);
      // RETURNING has no order of its own.
      const rows = result.rows.sort((left, right) => left.created_at - right.created_at || left.seq - right.seq);
      return rows.map((row) => ({
        intake: toIntake(row),
        lease: { dedupeKey: row.dedupe_key, owner: request.owner, epoch: row.lease_epoch },
      }));
    },
    async listIntakes() {
      const result = await pool.query<IntakeRow>('SELECT * FROM intakes ORDER BY created_at, seq');
      return result.rows.map(toIntake);
    },
  };
}
