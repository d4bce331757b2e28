// Quota policy: tier costs, admins, UTC days and resets, durations and the refusal sentences users read.
import { describe, expect, it } from 'vitest';
import {
  createQuotaPolicy,
  formatCredits,
  formatTimeUntil,
  nextUtcMidnight,
  quotaExceededMessage,
  utcDay,
} from '../../src/core/quota-policy.ts';

const at = (iso: string) => Date.parse(iso);

describe('quota policy', () => {
  const policy = createQuotaPolicy({
    dailyCredits: 20,
    costs: { '1K': 1, '2K': 1, '4K': 2 },
    communityDailyCredits: 100,
    adminUserIds: ['discord:123', 'slack:U456'],
  });

  it('prices each resolution tier from configuration', () => {
    expect(['1K', '2K', '4K'].map((tier) => policy.costOf(tier as '1K' | '2K' | '4K'))).toEqual([1, 1, 2]);
    expect(policy.dailyCredits).toBe(20);
    expect(policy.communityDailyCredits).toBe(100);
  });

  it('recognizes admins only by their platform-qualified id', () => {
    expect(policy.isAdmin('discord:123')).toBe(true);
    expect(policy.isAdmin('slack:U456')).toBe(true);
    expect(policy.isAdmin('slack:123')).toBe(false);
    expect(policy.isAdmin('discord:1234')).toBe(false);
  });

  it('keeps no cap when none is configured', () => {
    const uncapped = createQuotaPolicy({ dailyCredits: 0, costs: { '1K': 0, '2K': 3, '4K': 5 }, communityDailyCredits: undefined, adminUserIds: [] });
    expect(uncapped.communityDailyCredits).toBeUndefined();
    expect(uncapped.costOf('1K')).toBe(0);
    expect(uncapped.isAdmin('discord:123')).toBe(false);
  });

  it('counts credits by UTC day and resets them at the next UTC midnight', () => {
    expect(utcDay(at('2026-11-21T00:00:00Z'))).toBe('2026-11-21');
    expect(utcDay(at('2026-11-21T23:59:59.999Z'))).toBe('2026-11-21');
    expect(utcDay(at('2026-11-21T23:30:00-05:00'))).toBe('2026-11-22');
    expect(nextUtcMidnight(at('2026-11-21T20:48:00Z'))).toBe(at('2026-11-22T00:00:00Z'));
    expect(nextUtcMidnight(at('2026-11-21T00:00:00Z'))).toBe(at('2026-11-22T00:00:00Z'));
    expect(nextUtcMidnight(at('2026-12-31T23:59:59Z'))).toBe(at('2027-01-01T00:00:00Z'));
    expect(nextUtcMidnight(at('2028-02-28T12:00:00Z'))).toBe(at('2028-02-29T00:00:00Z'));
  });

  it('says how long until a time in hours and minutes, rounding up', () => {
    const now = at('2026-11-21T20:48:00Z');
    expect(formatTimeUntil(now, nextUtcMidnight(now))).toBe('3 h 12 min');
    expect(formatTimeUntil(now, now + 2 * 3_600_000)).toBe('2 h');
    expect(formatTimeUntil(now, now + 45 * 60_000)).toBe('45 min');
    expect(formatTimeUntil(now, now + 61_000)).toBe('2 min');
    expect(formatTimeUntil(now, now)).toBe('less than a minute');
    expect(formatCredits(1)).toBe('1 credit');
    expect(formatCredits(0)).toBe('0 credits');
  });

  it('writes the refusal a user reads, for their own credits and for the community cap', () => {
    const now = at('2026-11-21T20:48:00Z');
    const base = { cost: 2, available: 1, reserved: 0, allowance: 20, now };
    expect(quotaExceededMessage({ ...base, scope: 'user', accountKey: 'discord:1', resolution: '4K' })).toBe(
      'This 4K image costs 2 credits and you have 1 left today. Credits reset at 00:00 UTC (in 3 h 12 min).',
    );
    expect(quotaExceededMessage({ ...base, scope: 'user', accountKey: 'slack:U1', resolution: undefined, cost: 1, available: 0, reserved: 1 })).toBe(
      'This image costs 1 credit and you have none left today (1 credit is held by images still in progress). '
        + 'Credits reset at 00:00 UTC (in 3 h 12 min).',
    );
    expect(quotaExceededMessage({ ...base, scope: 'community', accountKey: 'discord:guild', resolution: '2K', allowance: 50 })).toBe(
      "This 2K image costs 2 credits and this server has 1 left of its daily cap of 50 credits. The server's cap resets at 00:00 UTC (in 3 h 12 min).",
    );
    expect(quotaExceededMessage({ ...base, scope: 'community', accountKey: 'slack:T1', resolution: '1K', available: 0 })).toMatch(
      /^This 1K image costs 2 credits and this workspace has none left of its daily cap of 20 credits\. The workspace's cap resets/,
    );
  });
});
