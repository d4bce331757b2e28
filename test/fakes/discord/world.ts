// The fake Discord's world: a first guild with a text channel and a thread (more guilds on demand), the bot and its users.
import { nextSnowflake } from './ids.ts';

/** A user as Discord serializes it. */
export interface FakeUser {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: string;
  avatar: null;
  bot?: boolean;
}

/** A guild channel as Discord serializes it (text channel or public thread). */
export type FakeChannel = Record<string, unknown> & { id: string; type: number; name: string };

/** A guild role as Discord serializes it. */
export interface FakeRole {
  id: string;
  name: string;
  color: number;
  hoist: boolean;
  icon: null;
  unicode_emoji: null;
  position: number;
  permissions: string;
  managed: boolean;
  mentionable: boolean;
  flags: number;
}

/** Manage Server + Administrator, as a string bit set (what an owner's `permissions` carries). */
export const ownerPermissions = ((1n << 3n) | (1n << 5n) | (1n << 11n) | (1n << 15n)).toString();
/** View channel, send messages, attach files, use application commands. */
export const memberPermissions = ((1n << 10n) | (1n << 11n) | (1n << 15n) | (1n << 31n)).toString();

/** A guild the bot is in, and its first text channel. */
export interface FakeGuild {
  guildId: string;
  name: string;
  channelId: string;
}

/** Everything that exists before any test acts; `addGuild` adds servers later. */
export class FakeWorld {
  readonly applicationId = nextSnowflake();
  readonly botUser: FakeUser;
  /** The first guild, its text channel and a thread in it (what most tests use). */
  readonly guildId = nextSnowflake();
  readonly channelId = nextSnowflake();
  readonly threadId = nextSnowflake();
  private readonly users = new Map<string, FakeUser>();
  private readonly channels = new Map<string, FakeChannel>();
  private readonly guilds = new Map<string, FakeGuild>();
  /** Roles each guild has besides @everyone, by guild id. */
  private readonly roles = new Map<string, FakeRole[]>();
  /** Role ids each user holds (the same in every guild: tests use one guild for roles). */
  private readonly memberRoles = new Map<string, string[]>();

  constructor() {
    this.botUser = { id: this.applicationId, username: 'Nano Imagine', global_name: null, discriminator: '0', avatar: null, bot: true };
    this.users.set(this.botUser.id, this.botUser);
    this.addGuild(this.guildId, 'Fake Guild', this.channelId);
    this.channels.set(this.threadId, {
      id: this.threadId, type: 11, guild_id: this.guildId, name: 'image ideas', parent_id: this.channelId,
      owner_id: this.botUser.id, last_message_id: null, rate_limit_per_user: 0, flags: 0, message_count: 0, member_count: 1,
      thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false },
    });
  }

  /** Adds a guild with one text channel `general`; `guildId` is fixed when a test needs it on a given shard. */
  addGuild(guildId = nextSnowflake(), name = `Guild ${this.guilds.size + 1}`, channelId = nextSnowflake()): FakeGuild {
    if (this.guilds.has(guildId)) throw new Error(`guild ${guildId} already exists`);
    const guild: FakeGuild = { guildId, name, channelId };
    this.guilds.set(guildId, guild);
    this.channels.set(channelId, {
      id: channelId, type: 0, guild_id: guildId, name: 'general', position: 0, permission_overwrites: [],
      nsfw: false, parent_id: null, topic: null, last_message_id: null, rate_limit_per_user: 0, flags: 0,
    });
    return guild;
  }

  /** Adds a text channel to a guild (announce it with CHANNEL_CREATE: discord.js drops events of unknown channels). */
  addTextChannel(guildId: string, name: string): FakeChannel {
    const channel: FakeChannel = {
      id: nextSnowflake(), type: 0, guild_id: guildId, name, position: this.channels.size, permission_overwrites: [],
      nsfw: false, parent_id: null, topic: null, last_message_id: null, rate_limit_per_user: 0, flags: 0,
    };
    this.channels.set(channel.id, channel);
    return channel;
  }

  /** Adds a role to a guild (announce it with GUILD_ROLE_CREATE so discord.js caches it). */
  addRole(guildId: string, name: string): FakeRole {
    const list = this.roles.get(guildId) ?? [];
    const role: FakeRole = {
      id: nextSnowflake(), name, color: 0, hoist: false, icon: null, unicode_emoji: null, position: list.length + 1,
      permissions: '0', managed: false, mentionable: true, flags: 0,
    };
    this.roles.set(guildId, [...list, role]);
    return role;
  }

  /** Makes `userId` hold exactly `roleIds` (sent in every member object from now on). */
  setMemberRoles(userId: string, roleIds: readonly string[]): void {
    this.memberRoles.set(userId, [...roleIds]);
  }

  /** Ids of every guild the bot is in, oldest first. */
  guildIds(): string[] {
    return [...this.guilds.keys()];
  }

  /** The guild a channel belongs to (undefined for unknown channels). */
  guildOfChannel(channelId: string): string | undefined {
    const guildId = this.channels.get(channelId)?.['guild_id'];
    return typeof guildId === 'string' ? guildId : undefined;
  }

  /** Creates a member of the guild; `id` is fixed when a test must know it in advance (ADMIN_USER_IDS). */
  addUser(username: string, id = nextSnowflake()): FakeUser {
    const user: FakeUser = { id, username, global_name: username, discriminator: '0', avatar: null };
    this.users.set(user.id, user);
    return user;
  }

  user(userId: string): FakeUser | undefined {
    return this.users.get(userId);
  }

  channel(channelId: string): FakeChannel | undefined {
    return this.channels.get(channelId);
  }

  /** A guild member object for `user` with `permissions`. */
  member(user: FakeUser, permissions: string): Record<string, unknown> {
    return {
      user, roles: this.memberRoles.get(user.id) ?? [], permissions, joined_at: new Date(0).toISOString(), deaf: false, mute: false, flags: 0,
      nick: null, avatar: null, premium_since: null, pending: false, communication_disabled_until: null,
    };
  }

  /** The GUILD_CREATE payload of a guild: without it discord.js waits 15 s and drops messages of unknown channels. */
  guildCreate(guildId = this.guildId): Record<string, unknown> {
    const guild = this.guilds.get(guildId);
    if (!guild) throw new Error(`unknown guild ${guildId}`);
    const inGuild = [...this.channels.values()].filter((channel) => channel['guild_id'] === guildId);
    const channels = inGuild.filter((channel) => channel.type !== 11);
    const threads = inGuild.filter((channel) => channel.type === 11);
    return {
      id: guildId, name: guild.name, icon: null, splash: null, discovery_splash: null, owner_id: nextSnowflake(),
      afk_channel_id: null, afk_timeout: 300, verification_level: 0, default_message_notifications: 0,
      explicit_content_filter: 0, features: [], mfa_level: 0, application_id: null, system_channel_id: null,
      system_channel_flags: 0, rules_channel_id: null, vanity_url_code: null, description: null, banner: null,
      premium_tier: 0, preferred_locale: 'en-US', public_updates_channel_id: null, nsfw_level: 0,
      premium_progress_bar_enabled: false, safety_alerts_channel_id: null,
      roles: [{ id: guildId, name: '@everyone', color: 0, hoist: false, icon: null, unicode_emoji: null,
        position: 0, permissions: memberPermissions, managed: false, mentionable: false, flags: 0 }, ...(this.roles.get(guildId) ?? [])],
      emojis: [], stickers: [], soundboard_sounds: [], joined_at: new Date(0).toISOString(), large: false,
      unavailable: false, member_count: 2, voice_states: [], presences: [], stage_instances: [],
      guild_scheduled_events: [], members: [this.member(this.botUser, memberPermissions)], channels, threads,
    };
  }
}
