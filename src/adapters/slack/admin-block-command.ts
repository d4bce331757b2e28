// `/imagine admin block add|remove|list` and `/imagine admin moderation`: a workspace's own blocked terms and its moderation log, for its admins.
import { isBotError } from '../../core/errors.ts';
import type { Requester } from '../../core/request.ts';
import { communityText } from './community-messages.ts';
import { workspaceKey, type SlackRuntime } from './runtime.ts';

/** Moderation entries listed in chat; the operator reads more with `npm run admin -- moderation`. */
const listedEvents = 15;

/**
 * The workspace's key when `requester` administers it (workspace admin or owner, or ADMIN_USER_IDS),
 * else the refusal to answer with.
 */
async function administeredWorkspace(runtime: SlackRuntime, requester: Requester): Promise<{ communityKey: string } | { refusal: string }> {
  if (!requester.communityId) return { refusal: communityText.workspaceOnly };
  if (!(await runtime.users.isAdmin(requester))) return { refusal: communityText.adminOnly };
  return { communityKey: workspaceKey(requester.communityId) };
}

/**
 * `admin block …` in the decoded command `text`. The term is everything after `add`/`remove`, as typed
 * (spaces, slashes and dashes kept), so a regular expression arrives intact; the core checks it (length,
 * a linear-time matcher) and refuses with a reason, which is shown.
 */
export async function answerBlock(runtime: SlackRuntime, requester: Requester, text: string): Promise<string> {
  const workspace = await administeredWorkspace(runtime, requester);
  if ('refusal' in workspace) return workspace.refusal;
  const match = /^\s*admin\s+block(?:\s+(\S+))?(?:\s+([\s\S]*))?$/i.exec(text);
  const verb = match?.[1]?.toLowerCase();
  const term = match?.[2]?.trim() ?? '';
  const { service } = runtime;
  try {
    if (verb === 'list' && term === '') return communityText.block.list((await service.communitySettings(workspace.communityKey)).blockedTerms);
    if ((verb === 'add' || verb === 'remove') && term !== '') {
      const change = verb === 'add' ? ({ setting: 'blockTerm', entry: term } as const) : ({ setting: 'unblockTerm', entry: term } as const);
      await service.changeSettings(workspace.communityKey, change, requester);
      return verb === 'add' ? communityText.block.added(term) : communityText.block.removed(term);
    }
  } catch (error) {
    if (isBotError(error) && error.code === 'invalid_request') return communityText.refusedChange(error.message);
    throw error;
  }
  return communityText.block.usage;
}

/** `admin moderation`: the workspace's latest blocks and provider refusals, newest first. */
export async function answerModeration(runtime: SlackRuntime, requester: Requester): Promise<string> {
  const workspace = await administeredWorkspace(runtime, requester);
  if ('refusal' in workspace) return workspace.refusal;
  const events = await runtime.service.moderationLog({ communityKey: workspace.communityKey, limit: listedEvents });
  if (events.length === 0) return communityText.moderation.none;
  return [communityText.moderation.heading(events.length), ...events.map((event) => communityText.moderation.line(event))].join('\n');
}
