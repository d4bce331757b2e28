// Builds the `data` of INTERACTION_CREATE payloads: slash commands, context menus, buttons and modal submits.
import { nextSnowflake } from './ids.ts';
import type { FakeAttachment, FakeMessage } from './message-store.ts';
import type { FakeChannel, FakeRole, FakeUser, FakeWorld } from './world.ts';

/** A value a test passes for a slash-command option; its Discord option type is inferred. */
export type OptionValue = string | number | boolean | FakeUser | FakeAttachment | FakeRole | FakeChannel;

function isAttachment(value: OptionValue): value is FakeAttachment {
  return typeof value === 'object' && 'url' in value;
}

function isUser(value: OptionValue): value is FakeUser {
  return typeof value === 'object' && 'username' in value;
}

function isRole(value: OptionValue): value is FakeRole {
  return typeof value === 'object' && 'hoist' in value;
}

function isChannel(value: OptionValue): value is FakeChannel {
  return typeof value === 'object' && 'type' in value && typeof value.type === 'number';
}

/** Where the chosen options sit: at the top, under a subcommand, or under a group's subcommand. */
function nestOptions(built: unknown[], subcommand: string | undefined, subcommandGroup: string | undefined): unknown[] {
  if (subcommand === undefined) return built;
  const sub = { name: subcommand, type: 1, options: built };
  return subcommandGroup === undefined ? [sub] : [{ name: subcommandGroup, type: 2, options: [sub] }];
}

/** `data` of a chat-input command, with attachments and users in `resolved` as Discord sends them. */
export function slashCommandData(
  world: FakeWorld,
  guildId: string,
  commandId: string,
  name: string,
  options: Record<string, OptionValue>,
  subcommand?: string,
  subcommandGroup?: string,
): Record<string, unknown> {
  const resolved: {
    attachments: Record<string, FakeAttachment>; users: Record<string, FakeUser>; members: Record<string, unknown>;
    roles: Record<string, FakeRole>; channels: Record<string, unknown>;
  } = { attachments: {}, users: {}, members: {}, roles: {}, channels: {} };
  const built = Object.entries(options).map(([optionName, value]) => {
    if (isAttachment(value)) {
      resolved.attachments[value.id] = value;
      return { name: optionName, type: 11, value: value.id };
    }
    if (isUser(value)) {
      resolved.users[value.id] = value;
      const { user: _user, ...member } = world.member(value, '0');
      resolved.members[value.id] = member;
      return { name: optionName, type: 6, value: value.id };
    }
    if (isRole(value)) {
      resolved.roles[value.id] = value;
      return { name: optionName, type: 8, value: value.id };
    }
    if (isChannel(value)) {
      // Resolved channels are partial, with the invoking member's permissions in them.
      resolved.channels[value.id] = { id: value.id, type: value.type, name: value.name, permissions: '0', parent_id: value['parent_id'] ?? null };
      return { name: optionName, type: 7, value: value.id };
    }
    if (typeof value === 'number') return { name: optionName, type: Number.isInteger(value) ? 4 : 10, value };
    if (typeof value === 'boolean') return { name: optionName, type: 5, value };
    return { name: optionName, type: 3, value };
  });
  return {
    id: commandId, name, type: 1, guild_id: guildId,
    options: nestOptions(built, subcommand, subcommandGroup),
    resolved,
  };
}

/** `data` of a message context-menu command aimed at `target`. */
export function messageCommandData(commandId: string, name: string, target: FakeMessage): Record<string, unknown> {
  return { id: commandId, name, type: 3, target_id: target.id, resolved: { messages: { [target.id]: { ...target } } } };
}

/** `data` of a button press. */
export function buttonData(customId: string): Record<string, unknown> {
  return { custom_id: customId, component_type: 2 };
}

/** `data` of a modal submit with one text input per entry of `fields`. */
export function modalSubmitData(customId: string, fields: Record<string, string>): Record<string, unknown> {
  return {
    custom_id: customId,
    components: Object.entries(fields).map(([fieldId, value]) => ({
      type: 1, id: Number(nextSnowflake().slice(-6)), components: [{ type: 4, custom_id: fieldId, value }],
    })),
  };
}

/** The custom ids of every button in a message's component rows. */
export function buttonIds(message: { components: unknown[] }): string[] {
  return message.components.flatMap((row) => {
    const children = (row as { components?: Array<{ custom_id?: string }> }).components ?? [];
    return children.flatMap((child) => (child.custom_id === undefined ? [] : [child.custom_id]));
  });
}
