// Conversions between stored job rows and the core's job records, for both stores: JSON for request and origin, byte columns for images.
import type { SerializedError } from '../core/errors.ts';
import type { ImageMimeType } from '../core/image-type.ts';
import type { ProviderAttempt } from '../core/provider-attempts.ts';
import type { JobRecord, JobState, StoredReference, StoredRequest, StoredResult } from '../core/job-store.ts';
import type { Origin, ProviderId, ReferenceSource } from '../core/request.ts';

/**
 * A `jobs` row as better-sqlite3 returns it. PostgreSQL's columns are named and typed the same
 * (bigint parsed to numbers, bytea to Buffers), so its rows read unchanged; its extra `seq` is ignored.
 */
export interface JobRow {
  id: string;
  dedupe_key: string | null;
  state: JobState;
  requester_key: string;
  community_key: string | null;
  provider: ProviderId;
  model: string;
  request_json: string;
  origin_json: string;
  task_id: string | null;
  progress: number | null;
  cost: number;
  community_cost: number;
  quota_day: string;
  error_json: string | null;
  result_url: string | null;
  result_data: Buffer | null;
  result_mime: ImageMimeType | null;
  delivered_message_id: string | null;
  platform: string;
  lease_owner: string | null;
  lease_epoch: number;
  lease_expires_at: number;
  submit_started_at: number | null;
  queue_position: number | null;
  queue_reason: string | null;
  /** The providers tried for the create call as JSON (`ProviderAttempt[]`); null until recorded. */
  provider_attempts_json: string | null;
  created_at: number;
  submitted_at: number | null;
  finished_at: number | null;
  updated_at: number;
}

/** A `job_references` row. */
export interface ReferenceRow {
  /** The reference's place in the request's list, from 0. */
  position: number;
  /** The image bytes, when held (chat CDN URLs expire); at least one of `data` and `url` is set. */
  data: Buffer | null;
  /** A URL the provider can fetch itself, when there is one. */
  url: string | null;
  /** The file's name for multipart uploads and messages, when known. */
  filename: string | null;
  /** Where the reference came from (attachment, previous result, local file, URL argument). */
  source: ReferenceSource;
  /** The sniffed image type, when known. */
  mime_type: ImageMimeType | null;
}

/** Binds bytes as a BLOB (SQLite) or bytea (PostgreSQL) without copying them. */
export function toBlob(bytes: Uint8Array | undefined): Buffer | null {
  if (bytes === undefined) return null;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A plain `Uint8Array` over a stored byte column (both drivers return Buffers; callers compare plain arrays). */
export function fromBlob(blob: Buffer): Uint8Array {
  return new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength);
}

/** The request without its references, whose bytes go to `job_references` instead of base64 in JSON. */
export function requestJson(request: StoredRequest): string {
  const { references: _storedSeparately, ...rest } = request;
  return JSON.stringify(rest);
}

/** The column values of one stored reference, in `job_references` order after `job_id` and `position`. */
export function referenceColumns(reference: StoredReference): [Buffer | null, string | null, string | null, string, string | null] {
  return [
    toBlob(reference.data),
    reference.url ?? null,
    reference.filename ?? null,
    reference.source,
    reference.mimeType ?? null,
  ];
}

function toReference(row: ReferenceRow): StoredReference {
  const reference: StoredReference = { source: row.source };
  if (row.data !== null) reference.data = fromBlob(row.data);
  if (row.url !== null) reference.url = row.url;
  if (row.filename !== null) reference.filename = row.filename;
  if (row.mime_type !== null) reference.mimeType = row.mime_type;
  return reference;
}

function toResult(row: JobRow): StoredResult | null {
  if (row.result_url === null && row.result_data === null && row.result_mime === null) return null;
  const result: StoredResult = {};
  if (row.result_url !== null) result.url = row.result_url;
  if (row.result_data !== null) result.data = fromBlob(row.result_data);
  if (row.result_mime !== null) result.mimeType = row.result_mime;
  return result;
}

/** The core's view of a stored job with its references. */
export function toJobRecord(row: JobRow, references: readonly ReferenceRow[]): JobRecord {
  const request = JSON.parse(row.request_json) as Omit<StoredRequest, 'references'>;
  return {
    id: row.id,
    dedupeKey: row.dedupe_key,
    state: row.state,
    requesterKey: row.requester_key,
    communityKey: row.community_key,
    provider: row.provider,
    model: row.model,
    request: { ...request, references: references.map(toReference) },
    origin: JSON.parse(row.origin_json) as Origin,
    taskId: row.task_id,
    progress: row.progress,
    cost: row.cost,
    quotaDay: row.quota_day,
    error: row.error_json === null ? null : (JSON.parse(row.error_json) as SerializedError),
    result: toResult(row),
    deliveredMessageId: row.delivered_message_id,
    submitStartedAt: row.submit_started_at,
    attempts: row.provider_attempts_json === null ? [] : (JSON.parse(row.provider_attempts_json) as ProviderAttempt[]),
    createdAt: row.created_at,
    submittedAt: row.submitted_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
  };
}
