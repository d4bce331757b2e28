// Server furniture tests add while the bot runs: roles (and who holds them) and more text channels, announced the way Discord does.
import type { FakeDiscord } from './fake-discord.ts';
import type { FakeChannel, FakeRole, FakeUser } from './world.ts';

/** Creates a role in the first guild (or `guildId`) and sends GUILD_ROLE_CREATE, so discord.js caches it like any role. */
export function addRole(discord: FakeDiscord, name: string, guildId = discord.world.guildId): FakeRole {
  const role = discord.world.addRole(guildId, name);
  discord.gateway.dispatch('GUILD_ROLE_CREATE', { guild_id: guildId, role });
  return role;
}

/** Gives `user` exactly `roles`: every member object sent from now on (interactions, messages) carries them. */
export function giveRoles(discord: FakeDiscord, user: FakeUser, roles: readonly FakeRole[]): void {
  discord.world.setMemberRoles(user.id, roles.map((role) => role.id));
}

/** Creates a text channel in the first guild (or `guildId`) and sends CHANNEL_CREATE, so commands can be run in it. */
export function addChannel(discord: FakeDiscord, name: string, guildId = discord.world.guildId): FakeChannel {
  const channel = discord.world.addTextChannel(guildId, name);
  discord.gateway.dispatch('CHANNEL_CREATE', channel);
  return channel;
}
