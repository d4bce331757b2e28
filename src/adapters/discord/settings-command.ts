// /imagine-settings: a server's own defaults, allowed channels and daily credits, changed and shown by its admins (Manage Server or ADMIN_USER_IDS).
import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import type { SettingsChange } from '../../core/community-settings.ts';
import { isBotError } from '../../core/errors.ts';
import type { AspectRatio, ProviderId, Resolution } from '../../core/request.ts';
import {
  settingsChannelGroup,
  settingsChannelSubcommands,
  settingsOptions,
  settingsSubcommands,
  type ClearableDefault,
} from './command-names.ts';
import type { DiscordContext } from './context.ts';
import { settingsText, text } from './messages.ts';
import { interactionRequester } from './origin.ts';
import { replyPrivately } from './private-refusal.ts';
import { administeredServerKey } from './server-admin.ts';
import { describeChange, renderSettings } from './settings-view.ts';
import { noMentions } from './status-message.ts';

/** Recorded changes shown under the settings. */
const shownChanges = 10;

/** Which stored setting each `clear:` choice empties. */
const clearedSettings: Record<Exclude<ClearableDefault, 'all'>, 'provider' | 'model' | 'aspectRatio' | 'resolution'> = {
  provider: 'provider',
  model: 'model',
  aspect: 'aspectRatio',
  resolution: 'resolution',
};

/** `/imagine-settings defaults`: clears first (so `clear:all` with a value sets just that value), then the values given. */
function defaultsChanges(interaction: ChatInputCommandInteraction): SettingsChange[] {
  const options = interaction.options;
  const clear = options.getString(settingsOptions.clear) as ClearableDefault | null;
  const cleared = clear === null ? [] : clear === 'all' ? Object.values(clearedSettings) : [clearedSettings[clear]];
  const changes: SettingsChange[] = cleared.map((setting) => ({ setting, value: null }));
  // Names are checked by the core (`changeSettings`), which explains an unknown provider or model.
  const provider = options.getString(settingsOptions.provider);
  const model = options.getString(settingsOptions.model);
  const aspect = options.getString(settingsOptions.aspect);
  const resolution = options.getString(settingsOptions.resolution);
  if (provider !== null) changes.push({ setting: 'provider', value: provider as ProviderId });
  if (model !== null) changes.push({ setting: 'model', value: model });
  if (aspect !== null) changes.push({ setting: 'aspectRatio', value: aspect as AspectRatio });
  if (resolution !== null) changes.push({ setting: 'resolution', value: resolution as Resolution });
  return changes;
}

/** The changes a subcommand asks for, or the reason there are none (shown to the admin as it is). */
async function plannedChanges(
  context: DiscordContext,
  interaction: ChatInputCommandInteraction,
  key: string,
  group: string | null,
  subcommand: string,
): Promise<SettingsChange[] | string> {
  const options = interaction.options;
  if (group === settingsChannelGroup) {
    if (subcommand === settingsChannelSubcommands.clear) {
      const { allowedChannels } = await context.service.communitySettings(key);
      if (allowedChannels.length === 0) return settingsText.everywhereAlready;
      return allowedChannels.map((channelId) => ({ setting: 'disallowChannel', channelId }));
    }
    const channelId = options.getChannel(settingsOptions.channel, true).id;
    return [subcommand === settingsChannelSubcommands.add ? { setting: 'allowChannel', channelId } : { setting: 'disallowChannel', channelId }];
  }
  if (subcommand === settingsSubcommands.defaults) {
    const changes = defaultsChanges(interaction);
    return changes.length === 0 ? settingsText.nothingGiven : changes;
  }
  const remove = options.getBoolean(settingsOptions.remove) === true;
  if (subcommand === settingsSubcommands.credits) {
    const daily = options.getInteger(settingsOptions.daily);
    if (remove) return [{ setting: 'dailyCredits', value: null }];
    return daily === null ? settingsText.nothingGiven : [{ setting: 'dailyCredits', value: daily }];
  }
  if (subcommand === settingsSubcommands.roleCredits) {
    const role = options.getRole(settingsOptions.role, true);
    if (role.id === interaction.guildId) return settingsText.everyoneRole;
    const amount = options.getInteger(settingsOptions.credits);
    if (remove) return [{ setting: 'roleCredits', roleId: role.id, value: null }];
    return amount === null ? settingsText.nothingGiven : [{ setting: 'roleCredits', roleId: role.id, value: amount }];
  }
  if (subcommand === settingsSubcommands.reset) return [{ setting: 'reset' }];
  return text.unknownAction;
}

/**
 * Applies `changes` in order through `changeSettings` (which checks each and records who made it). A
 * refused change stops there and is explained with what went through before it.
 */
async function applyChanges(context: DiscordContext, interaction: ChatInputCommandInteraction, key: string, changes: readonly SettingsChange[]): Promise<string> {
  const actor = interactionRequester(interaction);
  const applied: string[] = [];
  for (const change of changes) {
    try {
      await context.service.changeSettings(key, change, actor);
    } catch (error) {
      if (!isBotError(error) || error.code !== 'invalid_request') throw error;
      return settingsText.refused(error.message, applied);
    }
    applied.push(describeChange(change, context.names));
  }
  return settingsText.changed(applied);
}

/** Handles `/imagine-settings`: every answer is ephemeral; members who are not admins are refused and nothing changes. */
export async function handleSettings(context: DiscordContext, interaction: ChatInputCommandInteraction): Promise<void> {
  const key = await administeredServerKey(context, interaction);
  if (key === undefined) return;
  const group = interaction.options.getSubcommandGroup();
  const subcommand = interaction.options.getSubcommand(true);
  if (group === null && subcommand === settingsSubcommands.show) {
    const [settings, changes] = await Promise.all([context.service.communitySettings(key), context.service.settingsChanges(key, shownChanges)]);
    await replyPrivately(interaction, renderSettings(settings, context.service.operatorDefaults(), changes, context.names));
    return;
  }
  const planned = await plannedChanges(context, interaction, key, group, subcommand);
  if (typeof planned === 'string') {
    await replyPrivately(interaction, planned);
    return;
  }
  // A change is a transaction each (clearing many channels is many): acknowledged first, privately.
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  await interaction.editReply({ content: await applyChanges(context, interaction, key, planned), allowedMentions: noMentions });
}
