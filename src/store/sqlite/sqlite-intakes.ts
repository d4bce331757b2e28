// Intakes over SQLite: acknowledged requests that have not become jobs yet.
import type { Intake, IntakeStore } from '../core/job-store.ts';
import type { Origin } from '../core/request.ts';
import type { SqliteDatabase } from './database.ts';

interface IntakeRow {
  dedupe_key: string;
  origin_json: string;
  prompt: string;
  created_at: number;
}

/** Prepares the intake statements once for `database`. */
export function createSqliteIntakes(database: SqliteDatabase): IntakeStore {
  const insert = database.prepare(
    `INSERT INTO intakes (dedupe_key, origin_json, prompt, created_at)
     SELECT @dedupeKey, @origin, @prompt, @createdAt WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE dedupe_key = @dedupeKey)
     ON CONFLICT (dedupe_key) DO NOTHING`,
  );
  const remove = database.prepare('DELETE FROM intakes WHERE dedupe_key = ?');
  const list = database.prepare<[], IntakeRow>('SELECT * FROM intakes ORDER BY created_at, rowid');
  return {
    recordIntake: (intake) =>
      insert.run({ dedupeKey: intake.dedupeKey, origin: JSON.stringify(intake.origin), prompt: intake.prompt, createdAt: intake.createdAt })
        .changes === 1,
    clearIntake: (dedupeKey) => {
      remove.run(dedupeKey);
    },
    listIntakes: () =>
      list.all().map((row) => ({
        dedupeKey: row.dedupe_key,
        origin: JSON.parse(row.origin_json) as Origin,
        prompt: row.prompt,
        createdAt: row.created_at,
      })),
  };
}
