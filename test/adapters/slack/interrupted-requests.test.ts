// Requests acknowledged but not yet jobs when the app stops: the restarted app finishes them (on the status message already
// posted, found by its marker), ends them with the reason when they cannot be finished, and a refusal leaves nothing behind.
// The window is held open by gating `service.start` (see `holdJobStarts`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeMessage } from '../../fakes/slack/workspace.ts';
import { alice, bob, botMessagesIn, channelId, pngOf, promptOf, referenceFiles, startSlackTest, uploadsIn, waitForStatus, type SlackTest } from './slack-test-app.ts';

/** Users of their own, so each test starts from a known balance. */
const carol = 'U0CAROL';
const dave = 'U0DAVE';
const erin = 'U0ERIN';
const frank = 'U0FRANK';

describe('Slack requests interrupted by a restart', () => {
  let test: SlackTest;
  /** The result the first test finishes; later tests click its buttons. */
  let delivered: FakeMessage;
  beforeAll(async () => {
    test = await startSlackTest({ environment: { QUOTA_DAILY_CREDITS: '2' } });
  });
  afterAll(async () => {
    await test?.close();
  });

  it('finishes a mention the app stopped on before its job existed: files downloaded again, the same status message, charged once', async () => {
    const { slack } = test;
    const jobs = (await test.jobs()).length;
    const creates = test.providerCreates().length;
    const credits = await test.creditsLeft(alice);
    // Never released: this app "dies" with the request between its status message and its job.
    test.holdJobStarts();
    const attached = await pngOf(220, 220, 180);
    const file = slack.addUserFile({ bytes: attached, name: 'moon.png', user: alice });
    const message = slack.userMessage({ channel: channelId, user: alice, text: `<@${slack.identity.botUserId}> a moon of cheese`, files: [file] });
    await slack.sendMentionEvent(message);
    const status = await waitForStatus(slack, message.ts, 'asked');
    await slack.waitFor(async () => (await test.runner.store.listIntakes()).length === 1, 'the recorded intake');
    expect(await test.runner.store.listIntakes()).toEqual([
      expect.objectContaining({
        dedupeKey: expect.stringMatching(/^slack:event:/),
        prompt: 'a moon of cheese',
        origin: expect.objectContaining({ platform: 'slack', channelId, threadId: message.ts, replyToMessageId: message.ts }),
        payload: expect.objectContaining({ kind: 'message', via: 'mention', files: [expect.objectContaining({ id: file.id, urlPrivateDownload: file.url_private_download })] }),
      }),
    ]);

    await test.restart();
    delivered = await test.waitForResult(status);
    expect(botMessagesIn(slack, message.ts).filter((posted) => posted.files.length === 0)).toEqual([status]);
    expect(uploadsIn(slack, message.ts)).toHaveLength(1);
    // The new app fetched the user's file again and sent it along.
    expect(slack.workspace.downloads.filter((download) => download.fileId === file.id)).toHaveLength(2);
    const create = test.providerCreates().at(-1);
    expect(test.providerCreates()).toHaveLength(creates + 1);
    expect(promptOf(create)).toBe('a moon of cheese');
    expect(create ? Buffer.from(referenceFiles(create)[0] ?? []).equals(Buffer.from(attached)) : false).toBe(true);
    expect(await test.jobs()).toHaveLength(jobs + 1);
    expect((await test.jobs()).at(-1)?.origin).toMatchObject({ channelId, threadId: message.ts, messageId: status.ts });
    expect(await test.creditsLeft(alice)).toBe(credits - 1);
    expect(await test.runner.store.listIntakes()).toEqual([]);
  });

  it('finishes a 4K click and a Remix modal submission the app stopped on, each on the status message it had posted', async () => {
    const { slack } = test;
    const threadTs = delivered.threadTs ?? delivered.ts;
    const jobs = (await test.jobs()).length;
    const views = slack.workspace.views.length;
    await slack.clickButton({ userId: frank, message: delivered, actionId: 'imagine_remix' });
    const opened = await slack.waitFor(() => slack.workspace.views[views], 'the modal');
    test.holdJobStarts();
    // Both acks wait for the job until the deadline; the requests are recorded before them.
    const acks = Promise.all([
      slack.clickButton({ userId: erin, message: delivered, actionId: 'imagine_upscale' }),
      slack.submitView({ userId: frank, view: opened, values: { remix_prompt: { prompt_input: { type: 'plain_text_input', value: 'a moon of blue cheese' } }, remix_files: { files_input: { type: 'file_input', files: [] } } } }),
    ]);
    const upscale = await waitForStatus(slack, threadTs, `<@${erin}> asked for a 4K version of`);
    const remix = await waitForStatus(slack, threadTs, `<@${frank}> remixed: a moon of blue cheese`);
    await slack.waitFor(async () => (await test.runner.store.listIntakes()).length === 2, 'both intakes');
    expect((await test.runner.store.listIntakes()).map((intake) => (intake.payload as { kind: string }).kind).sort()).toEqual(['job-button', 'remix-modal']);
    await acks;

    await test.restart();
    await test.waitForResult(upscale);
    await test.waitForResult(remix);
    const statuses = botMessagesIn(slack, threadTs).filter((posted) => posted.files.length === 0 && posted !== delivered);
    expect(statuses.sort((left, right) => left.ts.localeCompare(right.ts))).toEqual([upscale, remix].sort((left, right) => left.ts.localeCompare(right.ts)));
    const created = (await test.jobs()).slice(jobs);
    expect(created.map((job) => job.origin.messageId).sort()).toEqual([upscale.ts, remix.ts].sort());
    expect(created.map((job) => job.request.resolution).sort()).toEqual(['1K', '4K']);
    expect(await test.creditsLeft(erin)).toBe(0);
    expect(await test.creditsLeft(frank)).toBe(1);
    expect(await test.runner.store.listIntakes()).toEqual([]);
  });

  it('ends the status message with the reason and charges nothing when the attached file is gone by the takeover', async () => {
    const { slack } = test;
    const jobs = (await test.jobs()).length;
    const creates = test.providerCreates().length;
    test.holdJobStarts();
    const file = slack.addUserFile({ bytes: await pngOf(30, 30, 30), name: 'gone.png', user: carol });
    // Slack encodes a typed "<!channel>" as &lt;!channel&gt;; it must come back literally, never as a ping.
    const message = slack.userMessage({ channel: channelId, user: carol, text: `<@${slack.identity.botUserId}> &lt;!channel&gt; a lost kite`, files: [file] });
    await slack.sendMentionEvent(message);
    const status = await waitForStatus(slack, message.ts, 'asked');
    await slack.waitFor(async () => (await test.runner.store.listIntakes()).length === 1, 'the recorded intake');
    slack.workspace.files.delete(file.id);

    await test.restart();
    const ended = await slack.waitFor(() => status.versions.length > 1 && status, 'the ended status message');
    expect(ended.text).toMatch(/^"&lt;!channel&gt; a lost kite" could not be finished after the bot restarted\.\n"gone\.png" could not be downloaded \(.+\)\. Try again\. No credits were used\.$/);
    expect(JSON.stringify(ended.blocks)).not.toContain('<!channel>');
    expect(ended.deleted).toBe(false);
    expect(await test.runner.store.listIntakes()).toEqual([]);
    expect(await test.jobs()).toHaveLength(jobs);
    expect(test.providerCreates()).toHaveLength(creates);
    expect(await test.creditsLeft(carol)).toBe(2);
  });

  it('finishes an /imagine whose pending parent message was deleted meanwhile, in a new parent message', async () => {
    const { slack } = test;
    const jobs = (await test.jobs()).length;
    test.holdJobStarts();
    const before = botMessagesIn(slack).length;
    // The command's ack waits for the job, so it only comes at the ack deadline; the request is recorded before it.
    const command = slack.slashCommand({ userId: bob, channelId, text: 'a paper boat' });
    const parent = await slack.waitFor(() => botMessagesIn(slack)[before], 'the parent message');
    await slack.waitFor(async () => (await test.runner.store.listIntakes()).length === 1, 'the recorded intake');
    await command;
    parent.deleted = true;

    await test.restart();
    const replacement = await slack.waitFor(() => botMessagesIn(slack)[before], 'the new parent message');
    expect(replacement.ts).not.toBe(parent.ts);
    expect(replacement.versions[0]?.text).toBe(`<@${bob}> asked: a paper boat · 1K · queued`);
    await test.waitForResult(replacement);
    expect(uploadsIn(slack, replacement.ts)).toHaveLength(1);
    expect(await test.runner.store.listIntakes()).toEqual([]);
    expect(await test.jobs()).toHaveLength(jobs + 1);
    expect(await test.creditsLeft(bob)).toBe(1);
  });

  it('apologises on the pending message for an intake it cannot read (no payload), and charges nothing', async () => {
    const { slack } = test;
    const jobs = (await test.jobs()).length;
    const thread = slack.userMessage({ channel: channelId, user: dave, text: `<@${slack.identity.botUserId}> an old request` });
    const pending = slack.workspace.addMessage({ channel: channelId, user: slack.identity.botUserId, botId: slack.identity.botId, text: 'queued', threadTs: thread.ts });
    // As an older version would have left it: origin only, leased to a process that is gone.
    await test.runner.store.recordIntake(
      { dedupeKey: 'slack:event:Ev0OLDVERSION', origin: { platform: 'slack', channelId, threadId: thread.ts, messageId: pending.ts }, prompt: '<!here> an old request', createdAt: Date.now() },
      { owner: 'a process that died', now: Date.now() - 120_000, leaseMs: 1000 },
    );

    await test.restart();
    const apology = 'The bot restarted before "&lt;!here&gt; an old request" started. Nothing was charged — please try again.';
    await slack.waitFor(() => pending.text === apology, 'the apology');
    expect(pending.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: apology } }]);
    expect(await test.runner.store.listIntakes()).toEqual([]);
    expect(await test.jobs()).toHaveLength(jobs);
  });

  it('leaves no intake when the job is refused after its status message was posted (two requests racing for the last credits)', async () => {
    const { slack } = test;
    const jobs = (await test.jobs()).length;
    const release = test.holdJobStarts();
    // Both pass the early credit check (2 credits, 4K costs 2), both post a status message; only one can be stored.
    const first = slack.userMessage({ channel: channelId, user: dave, text: `<@${slack.identity.botUserId}> a red kite --res 4K` });
    const second = slack.userMessage({ channel: channelId, user: dave, text: `<@${slack.identity.botUserId}> a blue kite --res 4K` });
    await slack.sendMentionEvent(first);
    await slack.sendMentionEvent(second);
    await waitForStatus(slack, first.ts, 'asked');
    await waitForStatus(slack, second.ts, 'asked');
    await slack.waitFor(async () => (await test.runner.store.listIntakes()).length === 2, 'both intakes');
    release();

    const refusal = await slack.waitFor(() => slack.workspace.ephemerals.find((ephemeral) => ephemeral.user === dave), 'the refusal');
    expect(refusal.text).toMatch(/credit/i);
    await slack.waitFor(async () => (await test.jobs()).length === jobs + 1, 'the one stored job');
    // The refused request's status message is removed; the stored one carries on.
    const live = [...botMessagesIn(slack, first.ts), ...botMessagesIn(slack, second.ts)].filter((posted) => posted.files.length === 0);
    expect(live).toHaveLength(1);
    await test.waitForResult(live[0] ?? first);
    expect(await test.runner.store.listIntakes()).toEqual([]);
    expect(await test.creditsLeft(dave)).toBe(0);
  });
});
