// What /imagine-settings shows: each effective setting with whether it is the server's own or the operator's default, and the latest changes.
import type { CommunitySettings, SettingsChange, SettingsChangeRecord } from '../../core/community-settings.ts';
import type { OperatorDefaults } from '../../core/imagine-service.ts';
import { codeSpan } from './code-span.ts';
import { settingsText, text } from './messages.ts';
import type { ProviderNames } from './render.ts';
import { channelList } from './screening.ts';

/** Discord refuses content over 2,000 characters. */
const maxContentLength = 2000;
/** Role credits listed before "and N more". */
const maxRolesListed = 20;

/** The platform user id of a `discord:123` key. */
function userIdOf(actorKey: string): string {
  return actorKey.slice(actorKey.indexOf(':') + 1);
}

/** One change in words ("set the default aspect ratio to 16:9"); role and channel mentions ping nobody (mentions are off). */
export function describeChange(change: SettingsChange, names: ProviderNames): string {
  const t = settingsText;
  switch (change.setting) {
    case 'provider':
      return change.value === null ? t.cleared(t.labels.provider) : t.set(t.labels.provider, names(change.value));
    case 'model':
      return change.value === null ? t.cleared(t.labels.model) : t.set(t.labels.model, change.value);
    case 'aspectRatio':
      return change.value === null ? t.cleared(t.labels.aspect) : t.set(t.labels.aspect, change.value);
    case 'resolution':
      return change.value === null ? t.cleared(t.labels.resolution) : t.set(t.labels.resolution, change.value);
    case 'dailyCredits':
      return change.value === null ? t.cleared(t.labels.daily) : t.set(t.labels.daily, String(change.value));
    case 'roleCredits':
      return change.value === null ? t.roleCleared(change.roleId) : t.roleSet(change.roleId, change.value);
    case 'allowChannel':
      return t.channelAllowed(change.channelId);
    case 'disallowChannel':
      return t.channelDisallowed(change.channelId);
    case 'blockTerm':
      return t.termBlocked(codeSpan(change.entry, 40));
    case 'unblockTerm':
      return t.termUnblocked(codeSpan(change.entry, 40));
    case 'reset':
      return t.reset;
  }
}

/** "16:9 (this server)" or "1K (default)". */
function valueLine(label: string, own: string | undefined, fallback: string): string {
  return settingsText.line(label, own ?? fallback, own !== undefined);
}

function roleCreditsLine(roleCredits: Record<string, number>): string {
  const entries = Object.entries(roleCredits).sort(([, left], [, right]) => right - left);
  if (entries.length === 0) return settingsText.line(settingsText.labels.roles, settingsText.none, false);
  const shown = entries.slice(0, maxRolesListed).map(([roleId, credits]) => settingsText.roleEntry(roleId, credits));
  const more = entries.length > shown.length ? ` ${text.more(entries.length - shown.length)}` : '';
  return settingsText.line(settingsText.labels.roles, `${shown.join(', ')}${more} ${settingsText.highestRoleApplies}`, true);
}

/** What `/imagine-settings show` answers. */
export function renderSettings(
  settings: CommunitySettings,
  defaults: OperatorDefaults,
  changes: readonly SettingsChangeRecord[],
  names: ProviderNames,
): string {
  const t = settingsText;
  const lines = [
    t.heading,
    valueLine(t.labels.provider, settings.provider === undefined ? undefined : names(settings.provider), names(defaults.provider)),
    valueLine(t.labels.model, settings.model, defaults.model ?? t.providerDefault),
    valueLine(t.labels.aspect, settings.aspectRatio, t.providerDefault),
    valueLine(t.labels.resolution, settings.resolution, '1K'),
    valueLine(t.labels.channels, settings.allowedChannels.length === 0 ? undefined : channelList(settings.allowedChannels), t.everywhere),
    valueLine(t.labels.daily, settings.dailyCredits === undefined ? undefined : String(settings.dailyCredits), String(defaults.dailyCredits)),
    roleCreditsLine(settings.roleCredits),
    t.blockedTerms(settings.blockedTerms.length),
  ];
  const history = changes.map((record) =>
    t.changeLine(Math.floor(record.createdAt / 1000), userIdOf(record.actorKey), describeChange(record.change, names)));
  const content = [...lines, ...(history.length === 0 ? [] : [t.changesHeading, ...history])];
  // The oldest changes go first when the answer is too long.
  while (content.join('\n').length > maxContentLength && content.length > lines.length + 1) content.pop();
  return content.join('\n').slice(0, maxContentLength);
}
