// Checks an admin's settings change against the bot's providers and the limits before it is stored.
import { checkTermEntry, maxTermLength } from './blocked-terms.ts';
import { maxAllowedChannels, maxCommunityBlockedTerms, maxSettingCredits, type CommunitySettings, type SettingsChange } from './community-settings.ts';
import { invalidRequest } from './errors.ts';
import type { ProviderChoice } from './imagine-service.ts';

/**
 * `change` ready to store (a blocked term trimmed), or an `invalid_request` whose message tells the
 * admin what to fix. `current` is the community's settings before the change (for list limits and
 * for checking a model against the community's provider).
 */
export function checkSettingsChange(change: SettingsChange, current: CommunitySettings, providers: readonly ProviderChoice[]): SettingsChange {
  switch (change.setting) {
    case 'provider': {
      if (change.value === null) return change;
      if (!providers.some((choice) => choice.id === change.value)) {
        throw invalidRequest(`The provider "${change.value}" is not configured on this bot; available: ${providers.map((choice) => choice.id).join(', ')}.`);
      }
      return change;
    }
    case 'model': {
      if (change.value === null) return change;
      const offering = providers.filter((choice) => choice.models.some((model) => model.id === change.value));
      if (offering.length === 0) {
        const known = [...new Set(providers.flatMap((choice) => choice.models.map((model) => model.id)))];
        throw invalidRequest(`No configured provider offers the model "${change.value}"; models: ${known.join(', ')}.`);
      }
      if (current.provider !== undefined && !offering.some((choice) => choice.id === current.provider)) {
        throw invalidRequest(`The default provider here is ${current.provider}, which does not offer "${change.value}". Change or clear the provider first.`);
      }
      return change;
    }
    case 'dailyCredits':
    case 'roleCredits': {
      if (change.value === null) return change;
      if (!Number.isSafeInteger(change.value) || change.value < 0 || change.value > maxSettingCredits) {
        throw invalidRequest(`Daily credits must be a whole number from 0 to ${maxSettingCredits}; got ${change.value}.`);
      }
      return change;
    }
    case 'allowChannel': {
      if (!current.allowedChannels.includes(change.channelId) && current.allowedChannels.length >= maxAllowedChannels) {
        throw invalidRequest(`At most ${maxAllowedChannels} channels can be allowed; remove one first.`);
      }
      return change;
    }
    case 'blockTerm': {
      const entry = change.entry.trim();
      const problem = checkTermEntry(entry);
      if (problem !== undefined) throw invalidRequest(`Not added: ${problem.reason}`);
      if (current.blockedTerms.includes(entry)) throw invalidRequest(`"${entry}" is already on this list.`);
      if (current.blockedTerms.length >= maxCommunityBlockedTerms) {
        throw invalidRequest(`The list already has ${maxCommunityBlockedTerms} entries, the most it can hold; remove one first.`);
      }
      return { setting: 'blockTerm', entry };
    }
    case 'unblockTerm': {
      const entry = change.entry.trim();
      if (!current.blockedTerms.includes(entry)) {
        const shown = entry.length > maxTermLength ? `${entry.slice(0, 40)}…` : entry;
        throw invalidRequest(`"${shown}" is not on this list; \`block list\` shows what is.`);
      }
      return { setting: 'unblockTerm', entry };
    }
    default:
      return change;
  }
}
