// Slack end to end: a workspace's own blocked terms, managed by its admins with `/imagine admin block`, and its moderation log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askPrivately } from './private-answers.ts';
import { alice, bob, botMessagesIn, channelId, startSlackTest, type SlackTest } from './slack-test-app.ts';

/** A workspace admin (users.info `is_admin`), and an operator listed only in ADMIN_USER_IDS. */
const carol = 'U0CAROL';
const operator = 'U0OPERATOR';

let test: SlackTest;

beforeAll(async () => {
  test = await startSlackTest({ environment: { QUOTA_DAILY_CREDITS: '3', ADMIN_USER_IDS: `slack:${operator}` } });
  test.slack.workspace.setUser(carol, { isAdmin: true, displayName: 'Carol' });
});

afterAll(async () => {
  await test?.close();
});

const ask = (userId: string, text: string) => askPrivately(test.slack, { userId, text });
const workspaceRefusal = (rule: string) => `:no_entry_sign: Your prompt was not sent: it breaks the blocked term "${rule}" set by this workspace's admins. Nothing was charged.`;

describe('Slack workspace blocked terms', () => {
  it('refuses a member who is not an admin, and changes nothing', async () => {
    expect(await ask(bob, 'admin block add bad')).toBe('Only workspace admins and owners (or the bot’s operators, ADMIN_USER_IDS) can do that.');
    expect(await ask(bob, 'admin block list')).toContain('Only workspace admins');
    expect(await ask(carol, 'admin block list')).toContain('blocks no terms of its own');
    // The admin check asked Slack who the members are.
    expect(test.slack.workspace.callsOf('users.info').map((call) => call.fields.user)).toEqual(expect.arrayContaining([bob, carol]));
  });

  it('lets a workspace admin block a term and a regular expression; breaking prompts, evasions included, are refused privately with no provider call and no charge', async () => {
    const { slack } = test;
    expect(await ask(carol, 'admin block add bad')).toBe(':white_check_mark: Blocked "bad" in this workspace. Prompts that break it are refused before anything is sent or charged.');
    expect(await ask(operator, 'admin block add /sec+ret/')).toContain('Blocked "/sec+ret/"');
    expect(await ask(carol, 'admin block list')).toBe(['*Blocked in this workspace* (2 entries; the operator may block more everywhere)', '• `bad`', '• `/sec+ret/`'].join('\n'));

    for (const [prompt, rule] of [['a bad dog', 'bad'], ['a B.A.D dog', 'bad'], ['a bäd dog', 'bad'], ['the secccret garden', '/sec+ret/']] as const) {
      expect(await ask(bob, prompt)).toBe(workspaceRefusal(rule));
    }
    expect(botMessagesIn(slack)).toHaveLength(0);
    expect(slack.workspace.callsOf('chat.postMessage')).toHaveLength(0);
    expect(test.providerCreates()).toHaveLength(0);
    expect(await test.creditsLeft(bob)).toBe(3);
    expect(await test.jobs()).toHaveLength(0);
  });

  it('lets an innocent prompt that merely contains the letters through (badge)', async () => {
    const { ack } = await test.slack.slashCommand({ userId: alice, channelId, text: 'a shiny badge' });
    expect(ack.payload).toBeUndefined();
    await test.slack.waitFor(() => test.providerCreates().length === 1, 'the provider call');
    await test.runner.runner.whenIdle();
    expect(await test.creditsLeft(alice)).toBe(2);
  });

  it('refuses a catastrophic regular expression when it is added, saying why', async () => {
    const answer = await ask(carol, 'admin block add /(a+)+$/');
    expect(answer).toMatch(/^:warning: Nothing changed: Not added: \(a\+\)\+ repeats a group that already repeats inside/);
    expect(await ask(carol, 'admin block list')).not.toContain('(a+)+');
  });

  it('shows the blocks in the moderation log, newest first, to admins only', async () => {
    expect(await ask(bob, 'admin moderation')).toContain('Only workspace admins');
    const log = (await ask(carol, 'admin moderation')).split('\n');
    expect(log[0]).toBe('*Moderation log of this workspace*, latest 4 entries first (only you can see this)');
    expect(log).toHaveLength(5);
    expect(log[1]).toMatch(/^• <!date\^\d+\^\{date_short_pretty\} \{time\}\|[^>]+> · <@U0BOB> in <#C0GENERAL> · "the secccret garden" · blocked by "\/sec\+ret\/" \(this workspace’s list\)$/);
    expect(log[4]).toContain('"a bad dog" · blocked by "bad"');
    // Every command above checked carol's rights; Slack was asked once (cached for a minute).
    expect(test.slack.workspace.callsOf('users.info').filter((call) => call.fields.user === carol)).toHaveLength(1);
  });

  it('lets an admin unblock a term again', async () => {
    expect(await ask(carol, 'admin block remove bad')).toBe(':white_check_mark: "bad" is no longer blocked in this workspace.');
    expect(await ask(carol, 'admin block remove bad')).toContain('is not on this list');
    const { ack } = await test.slack.slashCommand({ userId: bob, channelId, text: 'a bad dog' });
    expect(ack.payload).toBeUndefined();
    await test.slack.waitFor(() => test.providerCreates().length === 2, 'the provider call');
  });
});
