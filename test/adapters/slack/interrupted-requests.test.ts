// Requests between the posted status message and the stored job: a restart in that window ends the message, a
// refusal there leaves nothing behind. The window is held open by gating `service.start` (see `holdJobStarts`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alice, bob, botMessagesIn, channelId, pngOf, startSlackTest, waitForStatus, type SlackTest } from './slack-test-app.ts';

/** A user of their own, so the quota race below starts from a known balance. */
const carol = 'U0CAROL';

describe('Slack requests interrupted by a restart', () => {
  let test: SlackTest;
  beforeAll(async () => {
    test = await startSlackTest({ environment: { QUOTA_DAILY_CREDITS: '2' } });
  });
  afterAll(async () => {
    await test?.close();
  });

  it('ends the status message of a mention the bot died on before its job existed, charges nothing, and a retry works', async () => {
    const { slack } = test;
    const jobs = (await test.jobs()).length;
    const creates = test.providerCreates().length;
    const credits = (await test.creditsLeft(alice));
    // Never released: this app "dies" with the request between its status message and its job.
    test.holdJobStarts();
    const file = slack.addUserFile({ bytes: await pngOf(220, 220, 180), name: 'moon.png', user: alice });
    // Slack encodes a typed "<!channel>" as &lt;!channel&gt;; it must come back literally, never as a ping.
    const message = slack.userMessage({ channel: channelId, user: alice, text: `<@${slack.identity.botUserId}> &lt;!channel&gt; a moon of cheese`, files: [file] });
    await slack.sendMentionEvent(message);
    const status = await waitForStatus(slack, message.ts, 'asked');
    await slack.waitFor(async () => (await test.runner.store.listIntakes()).length === 1, 'the recorded intake');
    expect(await test.runner.store.listIntakes()).toEqual([
      expect.objectContaining({
        dedupeKey: expect.stringMatching(/^slack:event:/),
        prompt: '<!channel> a moon of cheese',
        origin: expect.objectContaining({ platform: 'slack', channelId, threadId: message.ts, messageId: status.ts }),
      }),
    ]);

    await test.restart();
    const interrupted = 'The bot restarted before "&lt;!channel&gt; a moon of cheese" started. Nothing was charged — please try again.';
    expect(status.versions.at(-1)?.text).toBe(interrupted);
    expect(status.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: interrupted } }]);
    expect(JSON.stringify(status.blocks)).not.toContain('<!channel>');
    expect(status.deleted).toBe(false);
    expect(await test.runner.store.listIntakes()).toEqual([]);
    expect((await test.jobs())).toHaveLength(jobs);
    expect(test.providerCreates()).toHaveLength(creates);
    expect((await test.creditsLeft(alice))).toBe(credits);

    // The user tries again on the restarted bot: an ordinary job, charged once.
    await slack.sendMentionEvent(message);
    const retried = await slack.waitFor(() => botMessagesIn(slack, message.ts).find((posted) => posted !== status && posted.files.length === 0), 'the new status message');
    await test.waitForResult(retried);
    expect((await test.jobs())).toHaveLength(jobs + 1);
    expect((await test.creditsLeft(alice))).toBe(credits - 1);
    expect(await test.runner.store.listIntakes()).toEqual([]);
  });

  it('posts the notice in the channel when the pending /imagine parent message was deleted meanwhile', async () => {
    const { slack } = test;
    const jobs = (await test.jobs()).length;
    test.holdJobStarts();
    const before = botMessagesIn(slack).length;
    // The command's ack waits for the job, so it only comes at the ack deadline; it is not awaited here.
    const command = slack.slashCommand({ userId: bob, channelId, text: 'a paper boat' });
    const parent = await slack.waitFor(() => botMessagesIn(slack)[before], 'the parent message');
    await slack.waitFor(async () => (await test.runner.store.listIntakes()).length === 1, 'the recorded intake');
    await command;
    parent.deleted = true;

    await test.restart();
    const notice = await slack.waitFor(() => botMessagesIn(slack)[before], 'the notice');
    expect(notice.text).toBe('The bot restarted before "a paper boat" started. Nothing was charged — please try again.');
    expect(notice.threadTs).toBeUndefined();
    expect(await test.runner.store.listIntakes()).toEqual([]);
    expect((await test.jobs())).toHaveLength(jobs);
    expect((await test.creditsLeft(bob))).toBe(2);
  });

  it('leaves no intake when the job is refused after its status message was posted (two requests racing for the last credits)', async () => {
    const { slack } = test;
    const jobs = (await test.jobs()).length;
    const release = test.holdJobStarts();
    // Both pass the early credit check (2 credits, 4K costs 2), both post a status message; only one can be stored.
    const first = slack.userMessage({ channel: channelId, user: carol, text: `<@${slack.identity.botUserId}> a red kite --res 4K` });
    const second = slack.userMessage({ channel: channelId, user: carol, text: `<@${slack.identity.botUserId}> a blue kite --res 4K` });
    await slack.sendMentionEvent(first);
    await slack.sendMentionEvent(second);
    await waitForStatus(slack, first.ts, 'asked');
    await waitForStatus(slack, second.ts, 'asked');
    await slack.waitFor(async () => (await test.runner.store.listIntakes()).length === 2, 'both intakes');
    release();

    const refusal = await slack.waitFor(() => slack.workspace.ephemerals.find((ephemeral) => ephemeral.user === carol), 'the refusal');
    expect(refusal.text).toMatch(/credit/i);
    await slack.waitFor(async () => (await test.jobs()).length === jobs + 1, 'the one stored job');
    // The refused request's status message is removed; the stored one carries on.
    const live = [...botMessagesIn(slack, first.ts), ...botMessagesIn(slack, second.ts)].filter((posted) => posted.files.length === 0);
    expect(live).toHaveLength(1);
    await test.waitForResult(live[0] ?? first);
    expect(await test.runner.store.listIntakes()).toEqual([]);
    expect((await test.creditsLeft(carol))).toBe(0);
  });
});
