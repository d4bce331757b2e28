// Kept images over PostgreSQL: the posted image stored with its job when it is delivered, read back for `/show`.
import type pg from 'pg';
import type { KeptImage, KeptImages } from '../../core/kept-image.ts';
import { toBlob } from '../job-rows.ts';
import { toKeptImage, type KeptImageRow } from '../kept-image-rows.ts';
import type { Queryable } from './postgres-connection.ts';

/** Stores `kept` for `jobId` on the caller's transaction (the delivering one). A job keeps its first image. */
export async function keepImage(client: Queryable, jobId: string, kept: KeptImage, now: number): Promise<void> {
  await client.query(
    'INSERT INTO job_images (job_id, data, mime_type, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (job_id) DO NOTHING',
    [jobId, toBlob(kept.data), kept.mimeType, now],
  );
}

/** Reads kept images over `pool`. The rows go with their jobs (ON DELETE CASCADE) when retention purges them. */
export function createPostgresKeptImages(pool: pg.Pool): KeptImages {
  return {
    async keptImage(jobId) {
      const result = await pool.query<KeptImageRow>('SELECT data, mime_type FROM job_images WHERE job_id = $1', [jobId]);
      const row = result.rows[0];
      return row === undefined ? undefined : toKeptImage(row);
    },
  };
}
