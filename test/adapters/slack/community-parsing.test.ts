// Telling `/imagine settings|show|cancel` apart from prompts, and reading settings arguments (channel links included).
import { describe, expect, it } from 'vitest';
import { parseCommunityCommand } from '../../../src/adapters/slack/community-command.ts';
import { channelIdOf, parseSettingsWords } from '../../../src/adapters/slack/settings-command.ts';

describe('parseCommunityCommand', () => {
  it('reads show and cancel with a job reference, alone as usage, and leaves prompts that start with those words alone', () => {
    expect(parseCommunityCommand('show 1a2b3c4d')).toEqual({ kind: 'show', reference: '1a2b3c4d' });
    expect(parseCommunityCommand('  CANCEL  5aee410c-7031-4615-b3da-e6679ef92710 ')).toEqual({ kind: 'cancel', reference: '5aee410c-7031-4615-b3da-e6679ef92710' });
    expect(parseCommunityCommand('cancel')).toEqual({ kind: 'cancel', reference: undefined });
    expect(parseCommunityCommand('show sunsets')).toBeUndefined();
    expect(parseCommunityCommand('cancel culture in a museum')).toBeUndefined();
    expect(parseCommunityCommand('show 1a2b3c4d please')).toBeUndefined();
  });

  it('reads settings alone or with a subcommand, keeping the raw words; other text after "settings" is a prompt', () => {
    expect(parseCommunityCommand('settings')).toEqual({ kind: 'settings', words: [] });
    expect(parseCommunityCommand('settings channel add <#C0ART|art>')).toEqual({ kind: 'settings', words: ['channel', 'add', '<#C0ART|art>'] });
    expect(parseCommunityCommand('settings of a haunted castle')).toBeUndefined();
  });
});

describe('parseSettingsWords', () => {
  it('turns each subcommand into one change, `clear` into null', () => {
    expect(parseSettingsWords(['provider', 'Xenodia'], 'C1')).toEqual({ kind: 'change', change: { setting: 'provider', value: 'xenodia' } });
    expect(parseSettingsWords(['model', 'clear'], 'C1')).toEqual({ kind: 'change', change: { setting: 'model', value: null } });
    expect(parseSettingsWords(['ar', '16:9'], 'C1')).toEqual({ kind: 'change', change: { setting: 'aspectRatio', value: '16:9' } });
    expect(parseSettingsWords(['res', '4k'], 'C1')).toEqual({ kind: 'change', change: { setting: 'resolution', value: '4K' } });
    expect(parseSettingsWords(['credits', '0'], 'C1')).toEqual({ kind: 'change', change: { setting: 'dailyCredits', value: 0 } });
    expect(parseSettingsWords(['reset'], 'C1')).toEqual({ kind: 'change', change: { setting: 'reset' } });
    expect(parseSettingsWords([], 'C1')).toEqual({ kind: 'show' });
  });

  it('takes a channel from a link Slack sent, a bare id, or the channel the command is typed in', () => {
    expect(parseSettingsWords(['channel', 'add'], 'C0HERE')).toEqual({ kind: 'change', change: { setting: 'allowChannel', channelId: 'C0HERE' } });
    expect(parseSettingsWords(['channel', 'remove', '<#C0ART|art>'], 'C0HERE')).toEqual({ kind: 'change', change: { setting: 'disallowChannel', channelId: 'C0ART' } });
    expect(parseSettingsWords(['channel', 'clear'], 'C0HERE')).toEqual({ kind: 'clearChannels' });
    expect(channelIdOf('<#G0PRIVATE>')).toBe('G0PRIVATE');
    expect(channelIdOf('C0123456')).toBe('C0123456');
    expect(channelIdOf('#general')).toBeUndefined();
    expect(parseSettingsWords(['channel', 'add', '#general'], 'C0HERE').kind).toBe('invalid');
  });

  it('explains values that cannot be right, and shows usage for the rest', () => {
    expect(parseSettingsWords(['provider', 'dall-e'], 'C1')).toMatchObject({ kind: 'invalid' });
    expect(parseSettingsWords(['credits', '-1'], 'C1')).toMatchObject({ kind: 'invalid' });
    expect(parseSettingsWords(['credits', '10001'], 'C1')).toMatchObject({ kind: 'invalid' });
    expect(parseSettingsWords(['resolution'], 'C1')).toEqual({ kind: 'usage' });
    expect(parseSettingsWords(['aspect', '16:9', 'extra'], 'C1')).toEqual({ kind: 'usage' });
  });
});
