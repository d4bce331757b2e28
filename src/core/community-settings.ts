// A server's or workspace's own settings (defaults, allowed channels, daily credits, blocked terms) and how one change applies to them.
import { aspectRatios, providerIds, resolutions, type AspectRatio, type ProviderId, type Resolution } from './request.ts';

/**
 * What a community's admins decided, as stored. Every field is optional in effect: an empty record
 * means "the operator's configuration applies everywhere".
 */
export interface CommunitySettings {
  /** Provider used when a request names none (a request's own option wins). */
  provider?: ProviderId;
  /** Model used when a request names none and the provider offers it. */
  model?: string;
  /** Aspect ratio used when a request names none and its model offers it. */
  aspectRatio?: AspectRatio;
  /** Resolution used when a request names none and its model offers it. */
  resolution?: Resolution;
  /** Channel ids the bot may be used in; empty means everywhere. */
  allowedChannels: string[];
  /** Credits each member starts a UTC day with when used here; unset means the operator's DAILY_CREDITS. */
  dailyCredits?: number;
  /** Discord role id → daily credits; a member holding any of them gets the highest of theirs instead of `dailyCredits`. */
  roleCredits: Record<string, number>;
  /** The community's own blocked terms, as their authors wrote them, in the order they were added. */
  blockedTerms: string[];
}

/** One change an admin makes; each is recorded with who made it and when. */
export type SettingsChange =
  | { setting: 'provider'; value: ProviderId | null }
  | { setting: 'model'; value: string | null }
  | { setting: 'aspectRatio'; value: AspectRatio | null }
  | { setting: 'resolution'; value: Resolution | null }
  | { setting: 'dailyCredits'; value: number | null }
  | { setting: 'roleCredits'; roleId: string; value: number | null }
  | { setting: 'allowChannel'; channelId: string }
  | { setting: 'disallowChannel'; channelId: string }
  | { setting: 'blockTerm'; entry: string }
  | { setting: 'unblockTerm'; entry: string }
  | { setting: 'reset' };

/** A recorded change. */
export interface SettingsChangeRecord {
  id: number;
  /** Platform-qualified community (`discord:<guild>`, `slack:<team>`). */
  communityKey: string;
  /** Platform-qualified admin who made it. */
  actorKey: string;
  change: SettingsChange;
  createdAt: number;
}

/** Most entries on one community's blocked list, and most allowed channels: settings are read on every request. */
export const maxCommunityBlockedTerms = 200;
export const maxAllowedChannels = 100;
/** Highest daily credits a setting may give (the same bound as `/imagine-admin grant`). */
export const maxSettingCredits = 10_000;

/** The settings of a community nobody configured. */
export function emptyCommunitySettings(): CommunitySettings {
  return { allowedChannels: [], roleCredits: {}, blockedTerms: [] };
}

/** `settings` with `change` applied (a new object; `reset` clears everything but the blocked terms). */
export function applySettingsChange(settings: CommunitySettings, change: SettingsChange): CommunitySettings {
  const next: CommunitySettings = {
    ...settings,
    allowedChannels: [...settings.allowedChannels],
    roleCredits: { ...settings.roleCredits },
    blockedTerms: [...settings.blockedTerms],
  };
  switch (change.setting) {
    case 'provider':
    case 'model':
    case 'aspectRatio':
    case 'resolution':
    case 'dailyCredits':
      if (change.value === null) delete next[change.setting];
      else (next as unknown as Record<string, unknown>)[change.setting] = change.value;
      return next;
    case 'roleCredits':
      if (change.value === null) delete next.roleCredits[change.roleId];
      else next.roleCredits[change.roleId] = change.value;
      return next;
    case 'allowChannel':
      if (!next.allowedChannels.includes(change.channelId)) next.allowedChannels.push(change.channelId);
      return next;
    case 'disallowChannel':
      next.allowedChannels = next.allowedChannels.filter((channel) => channel !== change.channelId);
      return next;
    case 'blockTerm':
      if (!next.blockedTerms.includes(change.entry)) next.blockedTerms.push(change.entry);
      return next;
    case 'unblockTerm':
      next.blockedTerms = next.blockedTerms.filter((entry) => entry !== change.entry);
      return next;
    case 'reset':
      return { ...emptyCommunitySettings(), blockedTerms: next.blockedTerms };
  }
}

/** Reads stored JSON back, dropping anything that is not a valid setting (a hand-edited row never breaks requests). */
export function parseCommunitySettings(json: string | null | undefined): CommunitySettings {
  const settings = emptyCommunitySettings();
  if (!json) return settings;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return settings;
  }
  if (typeof raw !== 'object' || raw === null) return settings;
  if ((providerIds as readonly unknown[]).includes(raw['provider'])) settings.provider = raw['provider'] as ProviderId;
  if (typeof raw['model'] === 'string' && raw['model'] !== '') settings.model = raw['model'];
  if ((aspectRatios as readonly unknown[]).includes(raw['aspectRatio'])) settings.aspectRatio = raw['aspectRatio'] as AspectRatio;
  if ((resolutions as readonly unknown[]).includes(raw['resolution'])) settings.resolution = raw['resolution'] as Resolution;
  if (isCredits(raw['dailyCredits'])) settings.dailyCredits = raw['dailyCredits'];
  if (Array.isArray(raw['allowedChannels'])) settings.allowedChannels = raw['allowedChannels'].filter((id): id is string => typeof id === 'string');
  if (typeof raw['roleCredits'] === 'object' && raw['roleCredits'] !== null) {
    for (const [roleId, credits] of Object.entries(raw['roleCredits'] as Record<string, unknown>)) {
      if (isCredits(credits)) settings.roleCredits[roleId] = credits;
    }
  }
  if (Array.isArray(raw['blockedTerms'])) settings.blockedTerms = raw['blockedTerms'].filter((entry): entry is string => typeof entry === 'string');
  return settings;
}

function isCredits(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= maxSettingCredits;
}

/** True when the bot may be used in `channelId` (no list set, or the channel is on it; a thread counts as its parent when `parentId` is given). */
export function channelAllowed(settings: CommunitySettings, channelId: string | undefined, parentId?: string): boolean {
  if (settings.allowedChannels.length === 0) return true;
  if (channelId !== undefined && settings.allowedChannels.includes(channelId)) return true;
  return parentId !== undefined && settings.allowedChannels.includes(parentId);
}

/**
 * The daily credits a member gets here: when any of their roles has credits set, the highest of
 * those (so a role can give more or less than the community's default); else the community's own
 * `dailyCredits`; undefined when neither applies (the operator's DAILY_CREDITS does).
 */
export function memberDailyCredits(settings: CommunitySettings, roleIds: readonly string[] = []): number | undefined {
  const roleValues = roleIds.flatMap((roleId) => {
    const credits = settings.roleCredits[roleId];
    return credits === undefined ? [] : [credits];
  });
  if (roleValues.length > 0) return Math.max(...roleValues);
  return settings.dailyCredits;
}
