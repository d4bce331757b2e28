// Who a Slack user is, from `users.info` (cached a minute): whether they administer the workspace, and the name to show without a ping.
import type { WebClient } from '@slack/web-api';
import type { ImagineService } from '../../core/imagine-service.ts';
import type { Requester } from '../../core/request.ts';
import type { Logger } from '../../log.ts';

/** What the bot needs to know about a member. */
export interface SlackUser {
  /** Workspace admin or owner: may change the workspace's settings and cancel anyone's job. */
  isWorkspaceAdmin: boolean;
  /** Display name, else real name, else handle; undefined when Slack gives none. */
  name: string | undefined;
}

/** Looks members up, sparing Slack's Tier 4 budget for `users.info`. */
export interface SlackUserDirectory {
  /** The member `userId` of workspace `teamId`; undefined when Slack cannot say right now (not cached then). */
  lookUp(userId: string, teamId: string | undefined): Promise<SlackUser | undefined>;
  /** True for ADMIN_USER_IDS (no Slack call) and for the workspace's admins and owners. */
  isAdmin(requester: Requester): Promise<boolean>;
}

/**
 * A promotion or demotion shows within this long. Longer would spare more calls, but a demoted admin
 * would keep their rights for that long.
 */
export const userCacheMs = 60_000;

/** Members remembered at most; a busy workspace's active members fit, and memory stays bounded. */
const rememberedUsers = 2000;

interface Cached {
  user: SlackUser;
  expiresAt: number;
}

/** Reads the parts of a `users.info` answer the bot uses. */
function readUser(answer: unknown): SlackUser {
  const user = (answer as { user?: Record<string, unknown> }).user ?? {};
  const profile = (user.profile ?? {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
  return {
    isWorkspaceAdmin: user.is_admin === true || user.is_owner === true || user.is_primary_owner === true,
    name: text(profile.display_name) ?? text(user.real_name) ?? text(profile.real_name) ?? text(user.name),
  };
}

/**
 * A directory over `client` (Bolt's, which waits out a 429 itself: these calls answer people, who can
 * wait a second). Concurrent lookups of one member share one call.
 */
export function createUserDirectory(dependencies: { client: WebClient; service: ImagineService; logger: Logger; now?: () => number }): SlackUserDirectory {
  const { client, service, logger } = dependencies;
  const now = dependencies.now ?? Date.now;
  const cache = new Map<string, Cached>();
  const inFlight = new Map<string, Promise<SlackUser | undefined>>();

  async function fetchUser(key: string, userId: string): Promise<SlackUser | undefined> {
    try {
      const user = readUser(await client.users.info({ user: userId }));
      cache.delete(key);
      cache.set(key, { user, expiresAt: now() + userCacheMs });
      if (cache.size > rememberedUsers) cache.delete(cache.keys().next().value as string);
      return user;
    } catch (error) {
      // Without `users:read` (an app installed from an older manifest) nobody counts as a workspace admin.
      logger.warn({ err: error, user: userId }, 'could not look up a Slack user (is the users:read scope granted?)');
      return undefined;
    }
  }

  async function lookUp(userId: string, teamId: string | undefined): Promise<SlackUser | undefined> {
    const key = `${teamId ?? ''}:${userId}`;
    const cached = cache.get(key);
    if (cached !== undefined && cached.expiresAt > now()) return cached.user;
    let pending = inFlight.get(key);
    if (pending === undefined) {
      pending = fetchUser(key, userId).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  }

  return {
    lookUp,
    async isAdmin(requester) {
      if (service.isAdmin(requester)) return true;
      return (await lookUp(requester.userId, requester.communityId))?.isWorkspaceAdmin === true;
    },
  };
}
