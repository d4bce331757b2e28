// The store seam for community governance: each server's settings with their change log, and the moderation log.
import type { CommunitySettings, SettingsChange, SettingsChangeRecord } from './community-settings.ts';
import type { Platform } from './request.ts';

/** What a moderation entry records. */
export type ModerationKind =
  /** A prompt broke a blocked term (the operator's or the community's); nothing was reserved or sent. */
  | 'blocked'
  /** A provider refused the content (`content_refused`); the requester was refunded. */
  | 'refused';

/** One entry of the moderation log, as written. */
export interface NewModerationEvent {
  kind: ModerationKind;
  platform: Platform;
  /** Platform-qualified community (`discord:<guild>`), null outside any (CLI, DMs). */
  communityKey: string | null;
  /** Where it was asked (channel or thread id), when known. */
  channelId: string | null;
  /** Platform-qualified requester (`discord:123`). */
  requesterKey: string;
  /** The prompt as the user wrote it. */
  prompt: string;
  /** For `blocked`: the entry broken, as written; for `refused`: the provider's reason. */
  detail: string;
  /** For `blocked`: whose list (`operator` or `server`); for `refused`: the provider id. */
  source: string;
  /** The job the refusal ended (null for blocks: no job was made). */
  jobId: string | null;
  createdAt: number;
}

/** A stored moderation entry. */
export interface ModerationEvent extends NewModerationEvent {
  id: number;
}

/** Which entries to read, newest first. */
export interface ModerationFilter {
  /** Only this community's entries; all when unset (the operator's view). */
  communityKey?: string;
  /** Only entries at or after this time (ms since epoch). */
  since?: number;
  limit: number;
}

/** Settings per community and the moderation log, in the shared store (SQLite or PostgreSQL). */
export interface CommunityStore {
  /** `communityKey`'s settings; the empty settings when nobody changed any. */
  communitySettings(communityKey: string): Promise<CommunitySettings>;
  /**
   * In one transaction: reads the settings, applies `change` (see `applySettingsChange`), stores the
   * result and records the change with `actorKey` and `now`. Returns the settings after the change.
   * Changes from several processes at once never lose one another.
   */
  changeCommunitySettings(communityKey: string, change: SettingsChange, actorKey: string, now: number): Promise<CommunitySettings>;
  /** The latest recorded changes of `communityKey`, newest first. */
  settingsChanges(communityKey: string, limit: number): Promise<SettingsChangeRecord[]>;
  /** Appends one entry to the moderation log. */
  recordModeration(event: NewModerationEvent): Promise<void>;
  /** Moderation entries, newest first. */
  moderationEvents(filter: ModerationFilter): Promise<ModerationEvent[]>;
}
