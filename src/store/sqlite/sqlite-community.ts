// Community settings, their change log and the moderation log over SQLite.
import { applySettingsChange, parseCommunitySettings, type CommunitySettings, type SettingsChange } from '../../core/community-settings.ts';
import type { CommunityStore } from '../../core/community-store.ts';
import { moderationColumns, toModerationEvent, toSettingsChangeRecord, type ModerationRow, type SettingsChangeRow } from '../community-rows.ts';
import type { SqliteDatabase } from './database.ts';

/** Prepares the community statements once for `database`. */
export function createSqliteCommunity(database: SqliteDatabase): CommunityStore {
  const selectSettings = database
    .prepare<[string], string>('SELECT settings_json FROM community_settings WHERE community_key = ?')
    .pluck();
  const upsertSettings = database.prepare(
    `INSERT INTO community_settings (community_key, settings_json, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (community_key) DO UPDATE SET settings_json = excluded.settings_json, updated_at = excluded.updated_at`,
  );
  const insertChange = database.prepare(
    'INSERT INTO community_settings_changes (community_key, actor_key, change_json, created_at) VALUES (?, ?, ?, ?)',
  );
  const selectChanges = database.prepare<[string, number], SettingsChangeRow>(
    'SELECT * FROM community_settings_changes WHERE community_key = ? ORDER BY id DESC LIMIT ?',
  );
  const insertModeration = database.prepare(
    `INSERT INTO moderation_events (kind, platform, community_key, channel_id, requester_key, prompt, detail, source, job_id, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // Two statements rather than one with "@community IS NULL OR …", so one community's read walks its index.
  const selectModerationOf = database.prepare<{ community: string; since: number; limit: number }, ModerationRow>(
    'SELECT * FROM moderation_events WHERE community_key = @community AND created_at >= @since ORDER BY id DESC LIMIT @limit',
  );
  const selectModeration = database.prepare<{ since: number; limit: number }, ModerationRow>(
    'SELECT * FROM moderation_events WHERE created_at >= @since ORDER BY id DESC LIMIT @limit',
  );

  const settingsOf = (communityKey: string): CommunitySettings => parseCommunitySettings(selectSettings.get(communityKey));

  const change = database.transaction((communityKey: string, settingsChange: SettingsChange, actorKey: string, now: number) => {
    const next = applySettingsChange(settingsOf(communityKey), settingsChange);
    upsertSettings.run(communityKey, JSON.stringify(next), now);
    insertChange.run(communityKey, actorKey, JSON.stringify(settingsChange), now);
    return next;
  });

  return {
    communitySettings: async (communityKey) => settingsOf(communityKey),
    // IMMEDIATE: the read happens under the write lock, so two processes changing the same community
    // at once apply their changes one after the other and neither is lost.
    changeCommunitySettings: async (communityKey, settingsChange, actorKey, now) =>
      change.immediate(communityKey, settingsChange, actorKey, now),
    settingsChanges: async (communityKey, limit) => selectChanges.all(communityKey, limit).map(toSettingsChangeRecord),
    async recordModeration(event) {
      insertModeration.run(...moderationColumns(event));
    },
    async moderationEvents(filter) {
      const since = filter.since ?? 0;
      const rows = filter.communityKey === undefined
        ? selectModeration.all({ since, limit: filter.limit })
        : selectModerationOf.all({ community: filter.communityKey, since, limit: filter.limit });
      return rows.map(toModerationEvent);
    },
  };
}
