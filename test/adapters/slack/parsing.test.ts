// Pure pieces of the Slack adapter: flag parsing, Slack text decoding/escaping, and the manifest matching the code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { callbackIds } from '../../../src/adapters/slack/blocks.ts';
import { decodeSlackText, escapeSlackText, stripBotMention } from '../../../src/adapters/slack/escape.ts';
import { parseImagineText } from '../../../src/adapters/slack/parse-command.ts';

describe('parseImagineText', () => {
  it('reads Midjourney-style flags in any position, with = or a space, and smart dashes', () => {
    expect(parseImagineText('a fox --ar 16:9 in snow --res 2k')).toEqual({ kind: 'generate', prompt: 'a fox in snow', flags: { aspectRatio: '16:9', resolution: '2K' } });
    expect(parseImagineText('a fox --aspect=3:2 --resolution=4K --provider Xenodia --model nano-banana-pro')).toEqual({
      kind: 'generate',
      prompt: 'a fox',
      flags: { aspectRatio: '3:2', resolution: '4K', provider: 'xenodia', model: 'nano-banana-pro' },
    });
    expect(parseImagineText('a fox \u2014ar 9:16')).toMatchObject({ flags: { aspectRatio: '9:16' } });
  });

  it('names what is wrong with a flag', () => {
    expect(parseImagineText('a fox --ar 16:9 --aspect 1:1')).toEqual({ kind: 'invalid', message: '`--ar` is given more than once; keep one.' });
    expect(parseImagineText('a fox --res')).toMatchObject({ kind: 'invalid', message: expect.stringContaining('needs a value') });
    expect(parseImagineText('a fox --ar <!channel>')).toMatchObject({ message: expect.stringContaining('&lt;!channel&gt;') });
  });

  it('treats help, quota, jobs and an empty text as keywords only when asked to', () => {
    expect(parseImagineText('')).toEqual({ kind: 'help' });
    expect(parseImagineText(' Quota ')).toEqual({ kind: 'quota' });
    expect(parseImagineText('Jobs')).toEqual({ kind: 'jobs' });
    expect(parseImagineText('jobs', { keywords: false })).toEqual({ kind: 'generate', prompt: 'jobs', flags: {} });
    expect(parseImagineText('help', { keywords: false })).toEqual({ kind: 'generate', prompt: 'help', flags: {} });
    expect(parseImagineText('', { keywords: false, emptyPromptMessage: 'say more' })).toEqual({ kind: 'invalid', message: 'say more' });
  });
});

describe('Slack text', () => {
  it('decodes what the user typed and escapes it back so it cannot ping', () => {
    const typed = decodeSlackText('<@U1|ann> &amp; <!here> in <#C1|general> see <http://x.io|x.io> &lt;!channel&gt;');
    expect(typed).toBe('@ann & @here in #general see x.io <!channel>');
    expect(escapeSlackText(typed)).toBe('@ann &amp; @here in #general see x.io &lt;!channel&gt;');
    expect(stripBotMention('<@UBOT> draw <@UBOT|nano> a cat', 'UBOT')).toBe('draw a cat');
  });
});

describe('commands/slack-manifest.yml', () => {
  const manifest = readFileSync(new URL('../../../commands/slack-manifest.yml', import.meta.url), 'utf8');

  it('declares the command, the shortcut and the events the app handles, with exactly the scopes it uses', () => {
    expect(manifest).toContain('- command: /imagine');
    expect(manifest).toContain(`callback_id: ${callbackIds.remixShortcut}`);
    for (const event of ['app_mention', 'message.channels', 'message.groups', 'message.im']) expect(manifest).toContain(`- ${event}\n`);
    const scopes = manifest.split('bot:\n')[1]?.split('settings:')[0]?.match(/- [a-z_:.]+/g)?.map((line) => line.slice(2));
    expect(scopes).toEqual(['app_mentions:read', 'channels:history', 'chat:write', 'commands', 'files:read', 'files:write', 'groups:history', 'im:history', 'users:read']);
    expect(manifest).toContain('socket_mode_enabled: true');
    expect(manifest).toMatch(/interactivity:\n\s+is_enabled: true/);
  });
});
