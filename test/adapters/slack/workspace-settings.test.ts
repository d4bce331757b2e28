// Slack end to end: `/imagine settings` — a workspace's defaults, allowed channels and daily credits, changed only by its admins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askPrivately } from './private-answers.ts';
import { alice, bob, botMessagesIn, channelId, fieldOf, startSlackTest, type SlackTest } from './slack-test-app.ts';

/** A workspace owner (users.info `is_owner`). */
const olivia = 'U0OLIVIA';
const artChannel = 'C0ART';
const randomChannel = 'C0RANDOM';

let test: SlackTest;

beforeAll(async () => {
  test = await startSlackTest({ environment: { QUOTA_DAILY_CREDITS: '20' } });
  test.slack.workspace.setUser(olivia, { isOwner: true, displayName: 'Olivia' });
});

afterAll(async () => {
  await test?.close();
});

const ask = (userId: string, text: string, channel = channelId) => askPrivately(test.slack, { userId, text, channelId: channel });

/** Runs `/imagine <text>` as alice and returns the provider's create request of its job, once delivered. */
async function generate(text: string) {
  const { slack } = test;
  const before = botMessagesIn(slack).length;
  const { ack } = await slack.slashCommand({ userId: alice, channelId, text });
  expect(ack.payload).toBeUndefined();
  const status = await slack.waitFor(() => botMessagesIn(slack)[before], 'the status message');
  await test.waitForResult(status);
  return { create: test.providerCreates().at(-1), status };
}

describe('Slack workspace settings', () => {
  it('refuses members who are not admins, and changes nothing', async () => {
    const refusal = 'Only workspace admins and owners (or the bot’s operators, ADMIN_USER_IDS) can do that.';
    expect(await ask(bob, 'settings aspect 16:9')).toBe(refusal);
    expect(await ask(bob, 'settings show')).toBe(refusal);
    expect(await ask(bob, 'settings channel add')).toBe(refusal);
    const overview = await ask(olivia, 'settings');
    expect(overview).toContain('• Aspect ratio: the model’s own _(bot default)_');
    expect(overview).toContain('• Channels: everywhere');
    expect(overview).not.toContain('Latest changes');
  });

  it('applies the workspace’s aspect ratio and resolution to requests that name none; a request’s own flags win', async () => {
    expect(await ask(olivia, 'settings aspect 16:9')).toBe(':white_check_mark: Done: set the default aspect ratio to `16:9`. `/imagine settings show` shows everything.');
    expect(await ask(olivia, 'settings resolution 2k')).toContain('set the default resolution to `2K`');

    const defaults = await generate('a lighthouse at dusk');
    expect(fieldOf(defaults.create, 'aspect_ratio')).toBe('16:9');
    expect(fieldOf(defaults.create, 'resolution')).toBe('2K');
    // The status message shows what the job really got, not what the request left open.
    expect(defaults.status.text).toMatch(/^<@U0ALICE> asked: a lighthouse at dusk · 16:9 · 2K · done in \d+ s/);

    const flags = await generate('a lighthouse at dawn --ar 1:1 --res 1K');
    expect(fieldOf(flags.create, 'aspect_ratio')).toBe('1:1');
    expect(fieldOf(flags.create, 'resolution')).toBe('1K');
  });

  it('shows the effective settings with their source and who changed what', async () => {
    const overview = await ask(olivia, 'settings show');
    expect(overview).toContain('• Provider: `xenodia` _(bot default)_');
    expect(overview).toContain('• Aspect ratio: 16:9 _(set here)_');
    expect(overview).toContain('• Resolution: 2K _(set here)_');
    expect(overview).toContain('• Daily credits per member: 20 _(bot default)_');
    const changes = overview.split('*Latest changes*\n')[1]?.split('\n') ?? [];
    expect(changes).toHaveLength(2);
    expect(changes[0]).toMatch(/^• <!date\^\d+\^[^>]+> <@U0OLIVIA> set the default resolution to `2K`$/);
    expect(changes[1]).toContain('<@U0OLIVIA> set the default aspect ratio to `16:9`');
  });

  it('keeps the bot to the allowed channels: elsewhere it answers only the requester, with where to go, and posts and charges nothing', async () => {
    const { slack } = test;
    expect(await ask(olivia, 'settings channel add')).toBe(':white_check_mark: Done: allowed <#C0GENERAL>. `/imagine settings show` shows everything.');
    expect(await ask(olivia, `settings channel add <#${artChannel}|art>`)).toContain(`allowed <#${artChannel}>`);
    expect(await ask(olivia, 'settings channel add #music')).toContain('is not a channel I can recognise');

    const credits = await test.creditsLeft(alice);
    const creates = test.providerCreates().length;
    const calls = slack.workspace.calls.length;
    expect(await ask(alice, 'a cat in the wrong place', randomChannel)).toBe(
      ':no_entry_sign: This workspace uses me only in <#C0GENERAL>, <#C0ART>. Try there — nothing was charged.',
    );
    expect(slack.workspace.calls.slice(calls).filter((call) => call.method !== 'users.info')).toEqual([]);
    expect(botMessagesIn(slack).filter((message) => message.channel === randomChannel)).toEqual([]);
    expect(test.providerCreates()).toHaveLength(creates);
    expect(await test.creditsLeft(alice)).toBe(credits);
    // A mention there is refused the same way, in an ephemeral message.
    const mention = slack.userMessage({ channel: randomChannel, user: alice, text: `<@${slack.identity.botUserId}> a cat` });
    await slack.sendMentionEvent(mention);
    const ephemeral = await slack.waitFor(() => slack.workspace.ephemerals.find((message) => message.channel === randomChannel), 'the ephemeral refusal');
    expect(ephemeral).toMatchObject({ user: alice, text: ':no_entry_sign: This workspace uses me only in <#C0GENERAL>, <#C0ART>. Try there — nothing was charged.' });
    expect(test.providerCreates()).toHaveLength(creates);

    expect(await ask(olivia, `settings channel remove <#${artChannel}>`)).toContain(`stopped allowing <#${artChannel}>`);
    expect(await ask(olivia, 'settings channel clear', artChannel)).toBe(':white_check_mark: Done: the bot may be used everywhere again (1 channel removed from the list).');
    expect(await ask(olivia, 'settings show')).toContain('• Channels: everywhere');
  });

  it('gives members the workspace’s daily credits, and explains refused values', async () => {
    expect(await ask(olivia, 'settings credits 5')).toContain('set the daily credits per member to `5`');
    expect(await ask('U0NEWCOMER', 'quota')).toContain('You have *5* of 5 credits left today');
    expect(await ask(olivia, 'settings credits lots')).toBe('`lots` is not a number of credits; use a whole number from 0 to 10000, or `clear`.');
    expect(await ask(olivia, 'settings model no-such-model')).toMatch(/^:warning: Nothing changed: No configured provider offers the model "no-such-model"/);
    expect(await ask(olivia, 'settings aspect 7:5')).toContain('`7:5` is not an aspect ratio');
    expect(await ask(olivia, 'settings credits clear')).toContain('cleared the daily credits per member');
    expect(await ask(olivia, 'settings channel')).toContain('credits per role are a Discord feature: Slack has no roles');
  });
});
