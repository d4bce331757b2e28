// Intake rows as both stores read them back: the `intakes` columns and their mapping to the core's Intake.
import type { Intake } from '../core/job-store.ts';
import type { Origin } from '../core/request.ts';

/** An `intakes` row (the columns both stores read; PostgreSQL's has `seq` and more besides). */
export interface IntakeRow {
  /** The platform's event id: the job made from this request will carry it too. */
  dedupe_key: string;
  /** The origin as JSON: where to answer. */
  origin_json: string;
  /** What the user asked, for the message that ends a request that cannot be finished. */
  prompt: string;
  /** The adapter's own record of the request as JSON; null when it cannot be resumed. */
  payload_json: string | null;
  /** When the request was acknowledged (ms since the epoch). */
  created_at: number;
  /** Grows with every claim of the intake; the fencing token. */
  lease_epoch: number;
}

/** The core's view of one intake row. */
export function toIntake(row: IntakeRow): Intake {
  return {
    dedupeKey: row.dedupe_key,
    origin: JSON.parse(row.origin_json) as Origin,
    prompt: row.prompt,
    ...(row.payload_json === null ? {} : { payload: JSON.parse(row.payload_json) as unknown }),
    createdAt: row.created_at,
  };
}
