// The /imagine-settings definition: a server's own defaults, allowed channels and daily credits (Manage Server by default).
import { ChannelType, InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { ProviderChoice } from '../src/core/imagine-service.ts';
import { maxSettingCredits } from '../src/core/community-settings.ts';
import {
  clearableDefaults,
  commandNames,
  settingsChannelGroup,
  settingsChannelSubcommands,
  settingsOptions,
  settingsSubcommands,
} from '../src/adapters/discord/command-names.ts';
import { offeredChoices } from './command-choices.ts';

/** Channels the bot can be allowed in (a thread counts as its parent, so threads are not offered). */
const allowableChannelTypes = [ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildForum, ChannelType.GuildMedia] as const;

export function settingsCommand(providers: readonly ProviderChoice[]): SlashCommandBuilder {
  const offered = offeredChoices(providers);
  const command = new SlashCommandBuilder()
    .setName(commandNames.settings)
    .setDescription('This server’s defaults, allowed channels and daily credits for the image bot (server managers)')
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild);
  command
    .addSubcommand((sub) => sub.setName(settingsSubcommands.show).setDescription('Show the settings in effect here and the latest changes'))
    .addSubcommand((sub) =>
      sub
        .setName(settingsSubcommands.defaults)
        .setDescription('Defaults for requests that do not choose (a request’s own options win)')
        .addStringOption((option) =>
          option.setName(settingsOptions.provider).setDescription('Default image service').addChoices(...offered.providers))
        .addStringOption((option) => option.setName(settingsOptions.model).setDescription('Default model').addChoices(...offered.models))
        .addStringOption((option) =>
          option.setName(settingsOptions.aspect).setDescription('Default aspect ratio').addChoices(...offered.aspects))
        .addStringOption((option) =>
          option.setName(settingsOptions.resolution).setDescription('Default resolution').addChoices(...offered.resolutions))
        .addStringOption((option) =>
          option.setName(settingsOptions.clear).setDescription('Go back to the operator’s default for one setting, or all')
            .addChoices(...clearableDefaults.map((name) => ({ name, value: name })))))
    .addSubcommandGroup((group) =>
      group
        .setName(settingsChannelGroup)
        .setDescription('Where the bot may be used (none set = everywhere)')
        .addSubcommand((sub) =>
          sub.setName(settingsChannelSubcommands.add).setDescription('Allow the bot in a channel (and its threads)')
            .addChannelOption((option) =>
              option.setName(settingsOptions.channel).setDescription('The channel').setRequired(true).addChannelTypes(...allowableChannelTypes)))
        .addSubcommand((sub) =>
          sub.setName(settingsChannelSubcommands.remove).setDescription('Take a channel off the allowed list')
            .addChannelOption((option) =>
              option.setName(settingsOptions.channel).setDescription('The channel').setRequired(true).addChannelTypes(...allowableChannelTypes)))
        .addSubcommand((sub) => sub.setName(settingsChannelSubcommands.clear).setDescription('Allow the bot everywhere again')))
    .addSubcommand((sub) =>
      sub
        .setName(settingsSubcommands.credits)
        .setDescription('Daily credits each member gets here')
        .addIntegerOption((option) =>
          option.setName(settingsOptions.daily).setDescription('Credits per member per day').setMinValue(0).setMaxValue(maxSettingCredits))
        .addBooleanOption((option) => option.setName(settingsOptions.remove).setDescription('Go back to the operator’s daily credits')))
    .addSubcommand((sub) =>
      sub
        .setName(settingsSubcommands.roleCredits)
        .setDescription('Daily credits for members with a role (the highest of a member’s roles applies)')
        .addRoleOption((option) => option.setName(settingsOptions.role).setDescription('The role').setRequired(true))
        .addIntegerOption((option) =>
          option.setName(settingsOptions.credits).setDescription('Credits per day for its members').setMinValue(0).setMaxValue(maxSettingCredits))
        .addBooleanOption((option) => option.setName(settingsOptions.remove).setDescription('Stop giving this role its own credits')))
    .addSubcommand((sub) => sub.setName(settingsSubcommands.reset).setDescription('Clear every setting here except the blocked terms'));
  return command;
}
