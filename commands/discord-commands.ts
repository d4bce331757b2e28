// Discord command definitions built from the configured providers: choices list only values they support.
import {
  ApplicationCommandType,
  ContextMenuCommandBuilder,
  InteractionContextType,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type RESTPostAPIApplicationCommandsJSONBody,
} from 'discord.js';
import type { ImageProvider } from '../src/core/provider.ts';
import type { ProviderChoice } from '../src/core/imagine-service.ts';
import { maxTermLength } from '../src/core/blocked-terms.ts';
import type { ProviderId } from '../src/core/request.ts';
import { spendGroupings } from '../src/core/spend-report.ts';
import {
  adminBlockGroup,
  adminBlockSubcommands,
  adminOptions,
  adminSubcommands,
  commandNames,
  imagineOptions,
  showOptions,
} from '../src/adapters/discord/command-names.ts';
import { offeredChoices } from './command-choices.ts';
import { settingsCommand } from './discord-settings-command.ts';

/** The provider choices as the runner lists them (default first), for use without a running bot. */
export function providerChoicesOf(
  providers: ReadonlyMap<ProviderId, ImageProvider>,
  defaultProvider: ProviderId,
  defaultModel: string | undefined,
): ProviderChoice[] {
  return [...providers.values()]
    .map((provider) => ({
      id: provider.id,
      displayName: provider.capabilities.displayName,
      models: provider.capabilities.models,
      defaultModel: provider.id === defaultProvider && defaultModel ? defaultModel : provider.capabilities.defaultModel,
    }))
    .sort((left, right) => Number(right.id === defaultProvider) - Number(left.id === defaultProvider));
}

function imagineCommand(providers: readonly ProviderChoice[]) {
  const offered = offeredChoices(providers);
  const command = new SlashCommandBuilder()
    .setName(commandNames.imagine)
    .setDescription('Generate an image from a prompt, optionally guided by up to three images')
    .setContexts(InteractionContextType.Guild)
    .addStringOption((option) =>
      option.setName(imagineOptions.prompt).setDescription('What the image should show').setRequired(true).setMaxLength(4000));
  const [first, second, third] = imagineOptions.images;
  return command
    .addAttachmentOption((option) => option.setName(first).setDescription('A reference image (PNG, JPEG or WebP)'))
    .addAttachmentOption((option) => option.setName(second).setDescription('A second reference image'))
    .addAttachmentOption((option) => option.setName(third).setDescription('A third reference image'))
    .addStringOption((option) =>
      option.setName(imagineOptions.aspect).setDescription('Aspect ratio (width:height)').addChoices(...offered.aspects))
    .addStringOption((option) =>
      option.setName(imagineOptions.resolution).setDescription('Output size; 4K costs more').addChoices(...offered.resolutions))
    .addStringOption((option) =>
      option.setName(imagineOptions.provider).setDescription('Which image service to use').addChoices(...offered.providers))
    .addStringOption((option) =>
      option.setName(imagineOptions.model).setDescription('Which model to use').addChoices(...offered.models));
}

function quotaCommand() {
  return new SlashCommandBuilder()
    .setName(commandNames.quota)
    .setDescription('Your image credits for today, what is held, and when they reset')
    .setContexts(InteractionContextType.Guild);
}

function jobsCommand() {
  return new SlashCommandBuilder()
    .setName(commandNames.jobs)
    .setDescription('Your last 10 images: state, prompt, when, and a link to each posted one (only you see it)')
    .setContexts(InteractionContextType.Guild);
}

function showCommand() {
  return new SlashCommandBuilder()
    .setName(commandNames.show)
    .setDescription('Post a finished image again in this channel, with its Reroll, Remix and 4K buttons')
    .setContexts(InteractionContextType.Guild)
    .addStringOption((option) =>
      option.setName(showOptions.job).setDescription('The job id, or its first characters as /jobs shows them').setRequired(true)
        .setMinLength(6).setMaxLength(64));
}

function adminCommand() {
  return new SlashCommandBuilder()
    .setName(commandNames.admin)
    .setDescription('Credits, spend, blocked terms and the moderation log (server managers and bot admins)')
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .addSubcommand((sub) =>
      sub
        .setName(adminSubcommands.grant)
        .setDescription('Give a member extra credits for today')
        .addUserOption((option) => option.setName(adminOptions.user).setDescription('Who gets the credits').setRequired(true))
        .addIntegerOption((option) =>
          option.setName(adminOptions.amount).setDescription('How many credits').setRequired(true).setMinValue(1).setMaxValue(10_000)))
    .addSubcommand((sub) =>
      sub
        .setName(adminSubcommands.reset)
        .setDescription('Restore a member’s credits to the daily allowance')
        .addUserOption((option) => option.setName(adminOptions.user).setDescription('Whose credits').setRequired(true)))
    .addSubcommand((sub) =>
      sub
        .setName(adminSubcommands.balance)
        .setDescription('Show a member’s credits')
        .addUserOption((option) => option.setName(adminOptions.user).setDescription('Whose credits').setRequired(true)))
    .addSubcommand((sub) =>
      sub
        .setName(adminSubcommands.spend)
        .setDescription('What the images cost the bot’s operator, per provider, day, user or server')
        .addStringOption((option) =>
          option.setName(adminOptions.by).setDescription('Rows per provider (default), day, user or server')
            .addChoices(...spendGroupings.map((grouping) => ({ name: grouping, value: grouping }))))
        .addStringOption((option) =>
          option.setName(adminOptions.since).setDescription('Only images from this UTC day on, like 2026-11-01').setMinLength(10).setMaxLength(10)))
    .addSubcommandGroup((group) =>
      group
        .setName(adminBlockGroup)
        .setDescription('This server’s blocked terms (the operator’s BLOCKED_TERMS apply too)')
        .addSubcommand((sub) =>
          sub.setName(adminBlockSubcommands.add).setDescription('Block a word or phrase, or a /regular expression/')
            .addStringOption((option) =>
              option.setName(adminOptions.term).setDescription('A word, a phrase, or /a pattern/').setRequired(true).setMaxLength(maxTermLength)))
        .addSubcommand((sub) =>
          sub.setName(adminBlockSubcommands.remove).setDescription('Unblock a term, written as the list shows it')
            .addStringOption((option) =>
              option.setName(adminOptions.term).setDescription('The term as listed').setRequired(true).setMaxLength(maxTermLength)))
        .addSubcommand((sub) => sub.setName(adminBlockSubcommands.list).setDescription('List this server’s blocked terms')))
    .addSubcommand((sub) =>
      sub.setName(adminSubcommands.moderation).setDescription('The latest blocked prompts and image-service refusals in this server'));
}

function remixCommand(): ContextMenuCommandBuilder {
  return new ContextMenuCommandBuilder()
    .setName(commandNames.remix)
    .setType(ApplicationCommandType.Message)
    .setContexts(InteractionContextType.Guild);
}

/** Every command of the bot, as the JSON Discord's bulk-overwrite endpoint takes. */
export function buildDiscordCommands(providers: readonly ProviderChoice[]): RESTPostAPIApplicationCommandsJSONBody[] {
  return [
    imagineCommand(providers).toJSON(), quotaCommand().toJSON(), jobsCommand().toJSON(), showCommand().toJSON(), adminCommand().toJSON(),
    settingsCommand(providers).toJSON(), remixCommand().toJSON(),
  ];
}
