// `/imagine settings …`: a workspace admin reads or changes the workspace's defaults, allowed channels and daily credits (answers only they see).
import { maxSettingCredits, type SettingsChange } from '../../core/community-settings.ts';
import { isBotError } from '../../core/errors.ts';
import { aspectRatios, providerIds, resolutions, type AspectRatio, type ProviderId, type Requester, type Resolution } from '../../core/request.ts';
import { communityText } from './community-messages.ts';
import { decodeSlackText } from './escape.ts';
import { workspaceKey, type SlackRuntime } from './runtime.ts';

/** The subcommands; a first word after `settings` that is none of these makes the text a prompt instead. */
export const settingsSubcommands = ['show', 'provider', 'model', 'aspect', 'ar', 'resolution', 'res', 'channel', 'credits', 'reset'] as const;

/** Changes made in the workspace's change log shown by `settings show`. */
const shownChanges = 8;

/** What one `settings` text asks for. */
type SettingsAction =
  | { kind: 'show' }
  | { kind: 'change'; change: SettingsChange }
  | { kind: 'clearChannels' }
  | { kind: 'usage' }
  /** A value that cannot be right, with what to type instead. */
  | { kind: 'invalid'; message: string };

/**
 * A channel argument as Slack sends it: `<#C123|general>` or `<#C123>` (picked from the suggestions;
 * `should_escape` on in the manifest), or a bare id. Plain `#general` carries no id and is not accepted.
 */
export function channelIdOf(raw: string): string | undefined {
  const linked = /^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(raw);
  if (linked) return linked[1];
  return /^[CG][A-Z0-9]{6,}$/.test(raw) ? raw : undefined;
}

function clearable<T>(raw: string | undefined, accept: (value: string) => T | undefined): { value: T | null } | undefined {
  if (raw === undefined) return undefined;
  if (raw.toLowerCase() === 'clear') return { value: null };
  const value = accept(raw);
  return value === undefined ? undefined : { value };
}

/** Reads `words` (the raw words after `settings`, channel links still encoded) into what to do. */
export function parseSettingsWords(words: readonly string[], currentChannelId: string): SettingsAction {
  const [subcommand = 'show', first, second] = words.map((word, index) => (index === 0 ? word.toLowerCase() : word));
  const plain = first === undefined ? undefined : decodeSlackText(first);
  if (words.length > 3 || (words.length > 2 && subcommand !== 'channel')) return { kind: 'usage' };
  switch (subcommand) {
    case 'show':
      return { kind: 'show' };
    case 'reset':
      return { kind: 'change', change: { setting: 'reset' } };
    case 'provider': {
      const choice = clearable(plain, (value) => (providerIds as readonly string[]).find((id) => id === value.toLowerCase()) as ProviderId | undefined);
      if (choice === undefined) return plain === undefined ? { kind: 'usage' } : { kind: 'invalid', message: communityText.settings.badProvider(plain, providerIds) };
      return { kind: 'change', change: { setting: 'provider', value: choice.value } };
    }
    case 'model': {
      const choice = clearable(plain, (value) => value);
      return choice === undefined ? { kind: 'usage' } : { kind: 'change', change: { setting: 'model', value: choice.value } };
    }
    case 'aspect':
    case 'ar': {
      const choice = clearable(plain, (value) => (aspectRatios as readonly string[]).find((ratio) => ratio === value.toLowerCase()) as AspectRatio | undefined);
      if (choice === undefined) return plain === undefined ? { kind: 'usage' } : { kind: 'invalid', message: communityText.settings.badAspect(plain, aspectRatios) };
      return { kind: 'change', change: { setting: 'aspectRatio', value: choice.value } };
    }
    case 'resolution':
    case 'res': {
      const choice = clearable(plain, (value) => (resolutions as readonly string[]).find((tier) => tier === value.toUpperCase()) as Resolution | undefined);
      if (choice === undefined) return plain === undefined ? { kind: 'usage' } : { kind: 'invalid', message: communityText.settings.badResolution(plain) };
      return { kind: 'change', change: { setting: 'resolution', value: choice.value } };
    }
    case 'credits': {
      const choice = clearable(plain, (value) => (/^\d{1,6}$/.test(value) && Number(value) <= maxSettingCredits ? Number(value) : undefined));
      if (choice === undefined) return plain === undefined ? { kind: 'usage' } : { kind: 'invalid', message: communityText.settings.badCredits(plain, maxSettingCredits) };
      return { kind: 'change', change: { setting: 'dailyCredits', value: choice.value } };
    }
    case 'channel': {
      const verb = plain?.toLowerCase();
      if (verb === 'clear' && second === undefined) return { kind: 'clearChannels' };
      if (verb !== 'add' && verb !== 'remove') return { kind: 'usage' };
      // Without a channel: the one the command is typed in, which is how an admin names a channel Slack sent as plain text.
      const channelId = second === undefined || second.toLowerCase() === 'here' ? currentChannelId : channelIdOf(second);
      if (channelId === undefined) return { kind: 'invalid', message: communityText.settings.badChannel(decodeSlackText(second ?? '')) };
      return { kind: 'change', change: verb === 'add' ? { setting: 'allowChannel', channelId } : { setting: 'disallowChannel', channelId } };
    }
    default:
      return { kind: 'usage' };
  }
}

/**
 * The answer to `/imagine settings <words>` from `requester` in `channelId`. Only the workspace's admins
 * and owners (and ADMIN_USER_IDS) get past the first check; everything goes through `changeSettings`,
 * which records who changed what, and whose refusals (an unknown model, too many channels) are shown.
 */
export async function answerSettings(runtime: SlackRuntime, requester: Requester, channelId: string, words: readonly string[]): Promise<string> {
  const { service } = runtime;
  if (!requester.communityId) return communityText.workspaceOnly;
  if (!(await runtime.users.isAdmin(requester))) return communityText.adminOnly;
  const communityKey = workspaceKey(requester.communityId);
  const action = parseSettingsWords(words, channelId);
  try {
    switch (action.kind) {
      case 'usage':
        return communityText.settings.usage;
      case 'invalid':
        return action.message;
      case 'show': {
        const [settings, changes] = await Promise.all([service.communitySettings(communityKey), service.settingsChanges(communityKey, shownChanges)]);
        return communityText.settings.overview(settings, service.operatorDefaults(), changes);
      }
      case 'change':
        await service.changeSettings(communityKey, action.change, requester);
        return communityText.settings.changed(action.change);
      case 'clearChannels': {
        // One recorded change per channel: the log then says which channels were allowed before.
        const { allowedChannels } = await service.communitySettings(communityKey);
        for (const allowed of allowedChannels) await service.changeSettings(communityKey, { setting: 'disallowChannel', channelId: allowed }, requester);
        return communityText.settings.channelsCleared(allowedChannels.length);
      }
    }
  } catch (error) {
    if (isBotError(error) && error.code === 'invalid_request') return communityText.refusedChange(error.message);
    throw error;
  }
}
