// Command definitions follow the configured providers, and `npm run commands:register` registers them (guild or global).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDiscordCommands, providerChoicesOf } from '../../commands/discord-commands.ts';
import { describeRegistration, registerDiscordCommands } from '../../commands/register-discord.ts';
import { parseConfig } from '../../src/config.ts';
import { createProviders } from '../../src/providers/registry.ts';
import { FakeDiscord } from '../fakes/discord/fake-discord.ts';

type Option = { name: string; type: number; choices?: Array<{ name: string; value: string }>; options?: Option[] };
type Command = { name: string; type?: number; options?: Option[]; default_member_permissions?: string | null };

function commandsFor(environment: Record<string, string>): Command[] {
  const config = parseConfig(environment);
  const choices = providerChoicesOf(createProviders(config), config.defaultProvider, config.defaultModel);
  return buildDiscordCommands(choices) as unknown as Command[];
}

function option(command: Command | undefined, name: string): Option | undefined {
  return command?.options?.find((candidate) => candidate.name === name);
}

let discord: FakeDiscord;

beforeAll(async () => {
  discord = await FakeDiscord.start();
});

afterAll(async () => {
  await discord?.close();
});

describe('command definitions', () => {
  it('offer only what the configured providers support', () => {
    const mockOnly = commandsFor({});
    const imagine = mockOnly.find((command) => command.name === 'imagine');
    expect(option(imagine, 'provider')?.choices?.map((choice) => choice.value)).toEqual(['mock']);
    expect(imagine?.options?.filter((candidate) => candidate.type === 11).map((candidate) => candidate.name)).toEqual(['image', 'image2', 'image3']);

    const withXenodia = commandsFor({ PROVIDER: 'xenodia', XENODIA_API_KEY: 'key' });
    const richer = withXenodia.find((command) => command.name === 'imagine');
    expect(option(richer, 'provider')?.choices?.map((choice) => choice.value)).toEqual(['xenodia', 'mock']);
    expect(option(richer, 'resolution')?.choices?.map((choice) => choice.value)).toEqual(['1K', '2K', '4K']);
    expect(option(richer, 'aspect')?.choices?.map((choice) => choice.value)).toContain('21:9');
    expect(option(richer, 'model')?.choices?.map((choice) => choice.value)).toContain('nano-banana-pro');
  });

  it('define /quota, /jobs, /show, /imagine-admin and /imagine-settings behind Manage Server, and the Remix message command', () => {
    const commands = commandsFor({});
    expect(commands.map((command) => command.name)).toEqual(['imagine', 'quota', 'jobs', 'show', 'imagine-admin', 'imagine-settings', 'Remix']);
    const admin = commands.find((command) => command.name === 'imagine-admin');
    expect(admin?.default_member_permissions).toBe(String(1 << 5));
    expect(admin?.options?.map((sub) => sub.name)).toEqual(['grant', 'reset', 'balance', 'spend', 'block', 'moderation']);
    const block = option(admin, 'block');
    expect(block?.type).toBe(2);
    expect(block?.options?.map((sub) => sub.name)).toEqual(['add', 'remove', 'list']);
    const term = option(block?.options?.find((sub) => sub.name === 'add'), 'term') as Option & { max_length?: number; required?: boolean };
    expect(term).toMatchObject({ type: 3, required: true, max_length: 200 });
    expect(commands.find((command) => command.name === 'Remix')?.type).toBe(3);
  });

  it('define /show job:<id> and /imagine-settings with the same choices as /imagine', () => {
    const commands = commandsFor({ PROVIDER: 'xenodia', XENODIA_API_KEY: 'key' });
    const show = commands.find((command) => command.name === 'show');
    expect(show?.default_member_permissions ?? null).toBeNull();
    expect(show?.options?.map((candidate) => [candidate.name, candidate.type])).toEqual([['job', 3]]);

    const settings = commands.find((command) => command.name === 'imagine-settings');
    expect(settings?.default_member_permissions).toBe(String(1 << 5));
    expect(settings?.options?.map((sub) => sub.name)).toEqual(['show', 'defaults', 'channel', 'credits', 'role-credits', 'reset']);
    const imagine = commands.find((command) => command.name === 'imagine');
    const defaults = option(settings, 'defaults');
    for (const name of ['provider', 'model', 'aspect', 'resolution'] as const) {
      expect(option(defaults, name)?.choices).toEqual(option(imagine, name)?.choices);
    }
    expect(option(defaults, 'clear')?.choices?.map((choice) => choice.value)).toEqual(['provider', 'model', 'aspect', 'resolution', 'all']);
    const channel = option(settings, 'channel');
    expect(channel?.type).toBe(2);
    expect(channel?.options?.map((sub) => sub.name)).toEqual(['add', 'remove', 'clear']);
    expect(option(channel?.options?.find((sub) => sub.name === 'add'), 'channel')?.type).toBe(7);
    const daily = option(option(settings, 'credits'), 'daily') as Option & { min_value?: number; max_value?: number };
    expect(daily).toMatchObject({ type: 4, min_value: 0, max_value: 10_000 });
    expect(option(option(settings, 'role-credits'), 'role')?.type).toBe(8);
  });
});

describe('registration', () => {
  it('overwrites guild commands when a guild is given, and asks Discord for the application id when unset', async () => {
    const outcome = await registerDiscordCommands({
      token: discord.token, apiUrl: discord.apiUrl, guildId: discord.world.guildId, commands: buildDiscordCommands([]),
    });
    expect(outcome.applicationId).toBe(discord.world.applicationId);
    expect(discord.calls.some((call) => call.method === 'PUT' && call.path === `/applications/${discord.world.applicationId}/guilds/${discord.world.guildId}/commands`)).toBe(true);
    expect(describeRegistration(outcome)).toContain(`in guild ${discord.world.guildId}`);
  });

  it('runs as `npm run commands:register`, globally without DISCORD_GUILD_ID, and prints what it did', async () => {
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'commands/register-discord.ts'], {
      env: {
        ...process.env, DISCORD_TOKEN: discord.token, DISCORD_APP_ID: discord.world.applicationId, DISCORD_API_URL: discord.apiUrl,
        DISCORD_GUILD_ID: '', PROVIDER: '', XENODIA_API_KEY: '', XINGCHAO_API_KEY: '', NBPCLOUD_API_KEY: '', NBPNET_API_KEY: '',
      },
    });
    expect(stdout).toContain('Registered 7 commands (imagine, quota, jobs, show, imagine-admin, imagine-settings, Remix) globally');
    const registered = discord.rest.commands.get('global') ?? [];
    expect(registered.map((command) => command['name'])).toEqual(['imagine', 'quota', 'jobs', 'show', 'imagine-admin', 'imagine-settings', 'Remix']);
  });
});
