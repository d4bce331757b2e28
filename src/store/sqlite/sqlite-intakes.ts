// Intakes over SQLite: acknowledged requests that have not become jobs yet, leased like jobs so one process finishes each.
import type { IntakeStore } from '../../core/job-store.ts';
import { toIntake, type IntakeRow } from '../intake-rows.ts';
import type { SqliteDatabase } from './database.ts';

/** Prepares the intake statements once for `database`. */
export function createSqliteIntakes(database: SqliteDatabase): IntakeStore {
  const insert = database.prepare(
    `INSERT INTO intakes (dedupe_key, origin_json, prompt, payload_json, created_at, platform, lease_owner, lease_epoch, lease_expires_at)
     SELECT @dedupeKey, @origin, @prompt, @payload, @createdAt, @platform, @owner, 1, @expiresAt
     WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE dedupe_key = @dedupeKey)
     ON CONFLICT (dedupe_key) DO NOTHING`,
  );
  const remove = database.prepare('DELETE FROM intakes WHERE dedupe_key = ?');
  const list = database.prepare<[], IntakeRow>('SELECT * FROM intakes ORDER BY created_at, rowid');
  const selectExpired = database.prepare<{ now: number; platforms: string; limit: number }, IntakeRow>(
    `SELECT * FROM intakes WHERE lease_expires_at <= @now AND platform IN (SELECT value FROM json_each(@platforms))
     ORDER BY created_at, rowid LIMIT @limit`,
  );
  const lease = database.prepare(
    `UPDATE intakes SET lease_owner = @owner, lease_epoch = lease_epoch + 1, lease_expires_at = @expiresAt
     WHERE dedupe_key = @dedupeKey AND lease_epoch = @epoch`,
  );
  const claim = database.transaction((owner: string, now: number, leaseMs: number, platforms: string, limit: number) =>
    selectExpired.all({ now, platforms, limit }).flatMap((row) => {
      if (lease.run({ owner, expiresAt: now + leaseMs, dedupeKey: row.dedupe_key, epoch: row.lease_epoch }).changes !== 1) return [];
      return [{ intake: toIntake(row), lease: { dedupeKey: row.dedupe_key, owner, epoch: row.lease_epoch + 1 } }];
    }),
  );

  return {
    recordIntake: async (intake, holder) => {
      const changes = insert.run({
        dedupeKey: intake.dedupeKey,
        origin: JSON.stringify(intake.origin),
        prompt: intake.prompt,
        payload: intake.payload === undefined ? null : JSON.stringify(intake.payload),
        createdAt: intake.createdAt,
        platform: intake.origin.platform,
        owner: holder.owner,
        expiresAt: holder.now + holder.leaseMs,
      }).changes;
      return changes === 1 ? { dedupeKey: intake.dedupeKey, owner: holder.owner, epoch: 1 } : undefined;
    },
    clearIntake: async (dedupeKey) => {
      remove.run(dedupeKey);
    },
    claimIntakes: async (request) =>
      claim.immediate(request.owner, request.now, request.leaseMs, JSON.stringify(request.platforms), request.limit),
    listIntakes: async () => list.all().map(toIntake),
  };
}
