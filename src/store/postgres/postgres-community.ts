// Community settings, their change log and the moderation log over PostgreSQL.
import type pg from 'pg';
import { applySettingsChange, emptyCommunitySettings, parseCommunitySettings } from '../../core/community-settings.ts';
import type { CommunityStore } from '../../core/community-store.ts';
import { moderationColumns, toModerationEvent, toSettingsChangeRecord, type ModerationRow, type SettingsChangeRow } from '../community-rows.ts';
import { inTransaction } from './postgres-connection.ts';

// The row is made first when missing (ON CONFLICT waits for another process making it, then does
// nothing), so there is always a row to lock: SELECT … FOR UPDATE then makes concurrent changes of
// one community apply one after the other, each on the settings the one before it wrote.
const ensureRowSql = `
INSERT INTO community_settings (community_key, settings_json, updated_at) VALUES ($1, $2, $3)
ON CONFLICT (community_key) DO NOTHING`;

const lockRowSql = 'SELECT settings_json FROM community_settings WHERE community_key = $1 FOR UPDATE';

const writeRowSql = 'UPDATE community_settings SET settings_json = $2, updated_at = $3 WHERE community_key = $1';

const insertChangeSql = `
INSERT INTO community_settings_changes (community_key, actor_key, change_json, created_at) VALUES ($1, $2, $3, $4)`;

const insertModerationSql = `
INSERT INTO moderation_events (kind, platform, community_key, channel_id, requester_key, prompt, detail, source, job_id, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`;

/** Builds the community methods over `pool`. */
export function createPostgresCommunity(pool: pg.Pool): CommunityStore {
  return {
    async communitySettings(communityKey) {
      const result = await pool.query<{ settings_json: string }>(
        'SELECT settings_json FROM community_settings WHERE community_key = $1',
        [communityKey],
      );
      return parseCommunitySettings(result.rows[0]?.settings_json);
    },
    changeCommunitySettings: (communityKey, change, actorKey, now) =>
      inTransaction(pool, async (client) => {
        await client.query(ensureRowSql, [communityKey, JSON.stringify(emptyCommunitySettings()), now]);
        const locked = await client.query<{ settings_json: string }>(lockRowSql, [communityKey]);
        const next = applySettingsChange(parseCommunitySettings(locked.rows[0]?.settings_json), change);
        await client.query(writeRowSql, [communityKey, JSON.stringify(next), now]);
        await client.query(insertChangeSql, [communityKey, actorKey, JSON.stringify(change), now]);
        return next;
      }),
    async settingsChanges(communityKey, limit) {
      const result = await pool.query<SettingsChangeRow>(
        'SELECT * FROM community_settings_changes WHERE community_key = $1 ORDER BY id DESC LIMIT $2',
        [communityKey, limit],
      );
      return result.rows.map(toSettingsChangeRecord);
    },
    async recordModeration(event) {
      await pool.query(insertModerationSql, moderationColumns(event));
    },
    async moderationEvents(filter) {
      const result = await pool.query<ModerationRow>(
        `SELECT * FROM moderation_events WHERE ($1::text IS NULL OR community_key = $1) AND created_at >= $2
         ORDER BY id DESC LIMIT $3`,
        [filter.communityKey ?? null, filter.since ?? 0, filter.limit],
      );
      return result.rows.map(toModerationEvent);
    },
  };
}
