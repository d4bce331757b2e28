// `npm run commands:register`: registers the bot's Discord commands, in one guild when DISCORD_GUILD_ID is set, else globally.
import { pathToFileURL } from 'node:url';
import { REST, Routes, type RESTPostAPIApplicationCommandsJSONBody } from 'discord.js';
import { ConfigError, loadConfig } from '../src/config.ts';
import { createProviders } from '../src/providers/registry.ts';
import { buildDiscordCommands, providerChoicesOf } from './discord-commands.ts';

export interface RegistrationOptions {
  token: string;
  /** DISCORD_APP_ID; asked from Discord when unset. */
  applicationId?: string;
  /** DISCORD_GUILD_ID: guild commands appear at once, handy while setting up. */
  guildId?: string;
  /** DISCORD_API_URL (proxies, the local fake). */
  apiUrl?: string;
  commands: RESTPostAPIApplicationCommandsJSONBody[];
}

export interface RegistrationOutcome {
  applicationId: string;
  scope: { kind: 'guild'; guildId: string } | { kind: 'global' };
  /** Names Discord confirmed. */
  names: string[];
}

/** Replaces the application's commands in the scope with `commands` (bulk overwrite, so removed ones disappear). */
export async function registerDiscordCommands(options: RegistrationOptions): Promise<RegistrationOutcome> {
  const rest = new REST({ version: '10', ...(options.apiUrl === undefined ? {} : { api: options.apiUrl }) }).setToken(options.token);
  const applicationId = options.applicationId ?? ((await rest.get(Routes.currentApplication())) as { id: string }).id;
  const route = options.guildId === undefined ? Routes.applicationCommands(applicationId) : Routes.applicationGuildCommands(applicationId, options.guildId);
  const registered = (await rest.put(route, { body: options.commands })) as Array<{ name: string }>;
  return {
    applicationId,
    scope: options.guildId === undefined ? { kind: 'global' } : { kind: 'guild', guildId: options.guildId },
    names: registered.map((command) => command.name),
  };
}

/** One line saying what was done, for people running the script. */
export function describeRegistration(outcome: RegistrationOutcome): string {
  const list = outcome.names.join(', ');
  return outcome.scope.kind === 'guild'
    ? `Registered ${outcome.names.length} commands (${list}) for application ${outcome.applicationId} in guild ${outcome.scope.guildId}; they are usable there now.`
    : `Registered ${outcome.names.length} commands (${list}) globally for application ${outcome.applicationId}; Discord may take a few minutes to show them everywhere.`;
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.discord) {
    console.error('Set DISCORD_TOKEN (and optionally DISCORD_APP_ID and DISCORD_GUILD_ID) in .env, then run this again.');
    process.exitCode = 1;
    return;
  }
  const providers = createProviders(config);
  const commands = buildDiscordCommands(providerChoicesOf(providers, config.defaultProvider, config.defaultModel));
  const outcome = await registerDiscordCommands({
    token: config.discord.token,
    commands,
    ...(config.discord.applicationId === undefined ? {} : { applicationId: config.discord.applicationId }),
    ...(config.discord.guildId === undefined ? {} : { guildId: config.discord.guildId }),
    ...(config.discord.apiUrl === undefined ? {} : { apiUrl: config.discord.apiUrl }),
  });
  console.log(describeRegistration(outcome));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `Could not register the commands: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
