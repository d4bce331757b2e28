// Kept images over SQLite: the posted image stored with its job when it is delivered, read back for `/show`.
import type { KeptImage, KeptImages } from '../../core/kept-image.ts';
import { toKeptImage, type KeptImageRow } from '../kept-image-rows.ts';
import { toBlob } from '../job-rows.ts';
import type { SqliteDatabase } from './database.ts';

/** Reading kept images, and the step that stores one inside the delivering transaction. */
export interface SqliteKeptImages extends KeptImages {
  /** Stores `kept` for `jobId`; runs inside the caller's transaction. A job keeps its first image. */
  keep(jobId: string, kept: KeptImage, now: number): void;
}

/** Prepares the statements once for `database`. The rows go with their jobs (ON DELETE CASCADE) when retention purges them. */
export function createSqliteKeptImages(database: SqliteDatabase): SqliteKeptImages {
  const insert = database.prepare(
    'INSERT INTO job_images (job_id, data, mime_type, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (job_id) DO NOTHING',
  );
  const select = database.prepare<[string], KeptImageRow>('SELECT data, mime_type FROM job_images WHERE job_id = ?');
  return {
    keep(jobId, kept, now) {
      insert.run(jobId, toBlob(kept.data), kept.mimeType, now);
    },
    async keptImage(jobId) {
      const row = select.get(jobId);
      return row === undefined ? undefined : toKeptImage(row);
    },
  };
}
