// Reading job rows back as the core's records: one query for the references of any number of jobs.
import type { JobRecord } from '../../core/job-store.ts';
import { toJobRecord, type JobRow, type ReferenceRow } from '../job-rows.ts';
import type { Queryable } from './postgres-connection.ts';

// The columns are named and typed as in SQLite (bigint parsed to numbers, bytea to Buffers), so the
// shared row mapping reads them unchanged; the extra `seq` column is ignored.

/**
 * The records of `rows`, in their order, with their stored references; a listing (`withBytes: false`)
 * reads the references without their bytes, which can be megabytes per job.
 */
export async function toJobRecords(database: Queryable, rows: readonly JobRow[], withBytes = true): Promise<JobRecord[]> {
  if (rows.length === 0) return [];
  const result = await database.query<ReferenceRow & { job_id: string }>(
    `SELECT job_id, position, ${withBytes ? 'data' : 'NULL::bytea AS data'}, url, filename, source, mime_type FROM job_references
     WHERE job_id = ANY($1::text[]) ORDER BY job_id, position`,
    [rows.map((row) => row.id)],
  );
  const referencesOf = new Map<string, ReferenceRow[]>();
  for (const reference of result.rows) {
    const list = referencesOf.get(reference.job_id) ?? [];
    list.push(reference);
    referencesOf.set(reference.job_id, list);
  }
  return rows.map((row) => toJobRecord(row, referencesOf.get(row.id) ?? []));
}

/** The record of one row, or undefined when there is none. */
export async function toJobRecordOrUndefined(database: Queryable, row: JobRow | undefined): Promise<JobRecord | undefined> {
  return row === undefined ? undefined : (await toJobRecords(database, [row]))[0];
}
