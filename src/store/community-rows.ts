// Community settings changes and moderation entries as both stores read them back: their columns and their mapping to the core's records.
import type { SettingsChange, SettingsChangeRecord } from '../core/community-settings.ts';
import type { ModerationEvent, ModerationKind, NewModerationEvent } from '../core/community-store.ts';
import type { Platform } from '../core/request.ts';

/** A `community_settings_changes` row; PostgreSQL's columns are named and typed as SQLite's (bigint parsed to numbers). */
export interface SettingsChangeRow {
  id: number;
  community_key: string;
  actor_key: string;
  /** The `SettingsChange` as JSON, exactly as the admin made it. */
  change_json: string;
  created_at: number;
}

/** A `moderation_events` row. */
export interface ModerationRow {
  id: number;
  kind: ModerationKind;
  platform: Platform;
  community_key: string | null;
  channel_id: string | null;
  requester_key: string;
  prompt: string;
  detail: string;
  source: string;
  job_id: string | null;
  created_at: number;
}

/** The core's view of one recorded settings change. */
export function toSettingsChangeRecord(row: SettingsChangeRow): SettingsChangeRecord {
  return {
    id: row.id,
    communityKey: row.community_key,
    actorKey: row.actor_key,
    change: JSON.parse(row.change_json) as SettingsChange,
    createdAt: row.created_at,
  };
}

/** The core's view of one moderation entry. */
export function toModerationEvent(row: ModerationRow): ModerationEvent {
  return {
    id: row.id,
    kind: row.kind,
    platform: row.platform,
    communityKey: row.community_key,
    channelId: row.channel_id,
    requesterKey: row.requester_key,
    prompt: row.prompt,
    detail: row.detail,
    source: row.source,
    jobId: row.job_id,
    createdAt: row.created_at,
  };
}

/** The column values of a new moderation entry, in `moderation_events` order after `id`. */
export function moderationColumns(event: NewModerationEvent): unknown[] {
  return [
    event.kind, event.platform, event.communityKey, event.channelId, event.requesterKey,
    event.prompt, event.detail, event.source, event.jobId, event.createdAt,
  ];
}
