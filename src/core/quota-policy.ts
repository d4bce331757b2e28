// Quota rules from configuration (cost per tier, admins, allowances) and the UTC-day arithmetic credits follow.
import type { Config } from '../config.ts';
import type { Resolution } from './request.ts';

const dayMs = 86_400_000;

/** The quota rules the store and the runner apply. */
export interface QuotaPolicy {
  /** Credits one image at `resolution` costs. */
  costOf(resolution: Resolution): number;
  /** True for platform-qualified ids listed in ADMIN_USER_IDS (no limit; may grant and reset). */
  isAdmin(requesterKey: string): boolean;
  /** Credits each user starts every UTC day with. */
  readonly dailyCredits: number;
  /** Cap over all users of one Discord server / Slack workspace per UTC day; undefined means no cap. */
  readonly communityDailyCredits: number | undefined;
}

/** Builds the policy from `config.quota`. */
export function createQuotaPolicy(quota: Config['quota']): QuotaPolicy {
  const admins: ReadonlySet<string> = new Set(quota.adminUserIds);
  const costs = { ...quota.costs };
  return {
    costOf: (resolution) => costs[resolution],
    isAdmin: (requesterKey) => admins.has(requesterKey),
    dailyCredits: quota.dailyCredits,
    communityDailyCredits: quota.communityDailyCredits,
  };
}

/** The UTC day of `now` as `YYYY-MM-DD`: the key credits are counted under. */
export function utcDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** The first millisecond of the UTC day after `now` (when credits reset). */
export function nextUtcMidnight(now: number): number {
  return (Math.floor(now / dayMs) + 1) * dayMs;
}

/** `3 h 12 min`, `45 min`, `2 h` for the time from `now` until `then` (rounded up to the minute). */
export function formatTimeUntil(now: number, then: number): string {
  const minutes = Math.max(0, Math.ceil((then - now) / 60_000));
  if (minutes === 0) return 'less than a minute';
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** `1 credit`, `2 credits`. */
export function formatCredits(count: number): string {
  return count === 1 ? '1 credit' : `${count} credits`;
}

/** What a refused reservation looked like, for the message the user reads. */
export interface QuotaShortfall {
  /** Whose limit refused it: the user's own daily credits or the community's daily cap. */
  scope: 'user' | 'community';
  /** Platform-qualified key of the user or community (`discord:123`); the platform picks "server" or "workspace". */
  accountKey: string;
  /** The image's tier, when known ("This 4K image costs…"). */
  resolution: Resolution | undefined;
  /** Credits the refused image costs. */
  cost: number;
  /** Credits still available today. */
  available: number;
  /** Credits held by images still in progress. */
  reserved: number;
  /** The community's daily cap (unused for users). */
  allowance: number;
  /** When the refusal happened (for the time until the reset). */
  now: number;
}

function communityNoun(accountKey: string): string {
  if (accountKey.startsWith('discord:')) return 'this server';
  if (accountKey.startsWith('slack:')) return 'this workspace';
  return 'this community';
}

/**
 * The user-ready sentence for a refused reservation, e.g. "This 4K image costs 2 credits and you
 * have 1 left today. Credits reset at 00:00 UTC (in 3 h 12 min)."
 */
export function quotaExceededMessage(shortfall: QuotaShortfall): string {
  const image = shortfall.resolution === undefined ? 'This image' : `This ${shortfall.resolution} image`;
  const left = shortfall.available === 0 ? 'none' : String(shortfall.available);
  const wait = formatTimeUntil(shortfall.now, nextUtcMidnight(shortfall.now));
  const held = shortfall.reserved > 0
    ? ` (${formatCredits(shortfall.reserved)} ${shortfall.reserved === 1 ? 'is' : 'are'} held by images still in progress)`
    : '';
  if (shortfall.scope === 'user') {
    return `${image} costs ${formatCredits(shortfall.cost)} and you have ${left} left today${held}. `
      + `Credits reset at 00:00 UTC (in ${wait}).`;
  }
  const community = communityNoun(shortfall.accountKey);
  const owner = community.replace('this ', '');
  return `${image} costs ${formatCredits(shortfall.cost)} and ${community} has ${left} left of its daily cap of `
    + `${formatCredits(shortfall.allowance)}${held}. The ${owner}'s cap resets at 00:00 UTC (in ${wait}).`;
}
