// The Slack user directory: users.info answers are cached a minute per member, shared by concurrent lookups, and failures are not cached.
import type { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { createUserDirectory, userCacheMs } from '../../../src/adapters/slack/user-directory.ts';
import type { ImagineService } from '../../../src/core/imagine-service.ts';
import { silentLogger } from '../../../src/log.ts';

/** A client whose users.info answers from `members` (or fails for ids it lacks), counting calls. */
function fakeClient(members: Record<string, Record<string, unknown>>) {
  const calls: string[] = [];
  const client = {
    users: {
      info: async ({ user }: { user: string }) => {
        calls.push(user);
        await new Promise((resolve) => setTimeout(resolve, 5));
        const member = members[user];
        if (!member) throw Object.assign(new Error('An API error occurred: user_not_found'), { data: { ok: false, error: 'user_not_found' } });
        return { ok: true, user: member };
      },
    },
  } as unknown as WebClient;
  return { client, calls };
}

const operatorOnly = { isAdmin: (requester: { userId: string }) => requester.userId === 'U0OPERATOR' } as unknown as ImagineService;

describe('Slack user directory', () => {
  it('asks Slack once a minute per member, shares concurrent lookups, and does not cache failures', async () => {
    let now = 1_000_000;
    const { client, calls } = fakeClient({
      U0ADMIN: { is_admin: true, name: 'ann', profile: { display_name: '' }, real_name: 'Ann Admin' },
      U0OWNER: { is_owner: true, name: 'olga', profile: { display_name: 'Olga' } },
      U0MEMBER: { name: 'max', profile: { display_name: 'Max' } },
    });
    const users = createUserDirectory({ client, service: operatorOnly, logger: silentLogger, now: () => now });

    const [first, second] = await Promise.all([users.lookUp('U0ADMIN', 'T1'), users.lookUp('U0ADMIN', 'T1')]);
    expect(first).toEqual({ isWorkspaceAdmin: true, name: 'Ann Admin' });
    expect(second).toBe(first);
    expect(await users.isAdmin({ platform: 'slack', userId: 'U0OWNER', communityId: 'T1' })).toBe(true);
    expect(await users.isAdmin({ platform: 'slack', userId: 'U0MEMBER', communityId: 'T1' })).toBe(false);
    expect(calls).toEqual(['U0ADMIN', 'U0OWNER', 'U0MEMBER']);

    now += userCacheMs - 1;
    await users.lookUp('U0ADMIN', 'T1');
    expect(calls).toHaveLength(3);
    now += 2;
    await users.lookUp('U0ADMIN', 'T1');
    expect(calls).toHaveLength(4);

    expect(await users.lookUp('U0GONE', 'T1')).toBeUndefined();
    expect(await users.isAdmin({ platform: 'slack', userId: 'U0GONE', communityId: 'T1' })).toBe(false);
    expect(calls.filter((user) => user === 'U0GONE')).toHaveLength(2);
    // ADMIN_USER_IDS need no Slack call.
    expect(await users.isAdmin({ platform: 'slack', userId: 'U0OPERATOR', communityId: 'T1' })).toBe(true);
    expect(calls).not.toContain('U0OPERATOR');
  });
});
