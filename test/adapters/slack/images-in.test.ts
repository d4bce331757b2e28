// Images in: thread-reply remixes, mentions with files, the Remix shortcut and modal, and refused files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileJson, type FakeMessage } from '../../fakes/slack/workspace.ts';
import {
  alice,
  bob,
  botMessagesIn,
  channelId,
  pngOf,
  promptOf,
  referenceFiles,
  sameBytes,
  startSlackTest,
  uploadsIn,
  waitForStatus,
  type SlackTest,
} from './slack-test-app.ts';

describe('Slack images in', () => {
  let test: SlackTest;
  let parent: FakeMessage;
  let firstResult: Uint8Array;

  beforeAll(async () => {
    test = await startSlackTest();
    firstResult = await pngOf(200, 40, 40);
    test.xenodia.setResultImage(firstResult);
    await test.slack.slashCommand({ userId: alice, channelId, text: 'a red bicycle' });
    parent = await test.slack.waitFor(() => botMessagesIn(test.slack)[0], 'the parent message');
    await test.waitForResult(parent);
  });
  afterAll(async () => {
    await test?.close();
  });

  it('remixes a thread reply with a file: the provider gets the previous result and the new file', async () => {
    const { slack, xenodia } = test;
    const attached = await pngOf(10, 200, 10);
    const remixed = await pngOf(90, 90, 250);
    xenodia.setResultImage(remixed);
    const file = slack.addUserFile({ bytes: attached, name: 'leaf.png', user: bob });
    const reply = slack.userMessage({ channel: channelId, user: bob, text: 'paint it green like this leaf', threadTs: parent.ts, files: [file] });
    const ack = await slack.sendMessageEvent(reply);
    expect(ack.elapsedMs).toBeLessThan(3000);

    const status = await waitForStatus(slack, parent.ts, 'remixed');
    expect(status.versions[0]?.text).toBe(`<@${bob}> remixed: paint it green like this leaf · 1K · 2 reference images · queued`);
    await test.waitForResult(status);

    const create = test.providerCreates().at(-1);
    expect(promptOf(create)).toBe('paint it green like this leaf');
    const references = create ? referenceFiles(create) : [];
    expect(references).toHaveLength(2);
    expect(sameBytes(references[0], firstResult)).toBe(true);
    expect(sameBytes(references[1], attached)).toBe(true);
    // The user's file was fetched with the bot token; the result went into the same thread.
    expect(slack.workspace.downloads.filter((download) => download.fileId === file.id)).toEqual([expect.objectContaining({ authorized: true, served: 'file' })]);
    expect(sameBytes(uploadsIn(slack, parent.ts).at(-1)?.bytes, remixed)).toBe(true);
    expect((await test.jobs()).at(-1)?.origin).toMatchObject({ channelId, threadId: parent.ts, messageId: status.ts, replyToMessageId: reply.ts });
  });

  it('asks for a prompt when a thread reply only has a file, and charges nothing', async () => {
    const { slack } = test;
    const jobs = (await test.jobs()).length;
    const file = slack.addUserFile({ bytes: await pngOf(1, 2, 3), name: 'only.png', user: bob });
    await slack.sendMessageEvent(slack.userMessage({ channel: channelId, user: bob, text: '', threadTs: parent.ts, files: [file] }));
    const ephemeral = await slack.waitFor(() => slack.workspace.ephemerals.find((message) => message.text.includes('Add some text')), 'the ephemeral');
    expect(ephemeral).toMatchObject({ user: bob, channel: channelId, threadTs: parent.ts });
    expect((await test.jobs())).toHaveLength(jobs);
  });

  it('generates from a mention with files, in the thread of that message', async () => {
    const { slack } = test;
    const photo = await pngOf(250, 250, 0);
    const file = slack.addUserFile({ bytes: photo, name: 'cat.png', user: alice });
    const message = slack.userMessage({ channel: channelId, user: alice, text: `<@${slack.identity.botUserId}> this cat as an astronaut --ar 3:2`, files: [file] });
    await slack.sendMentionEvent(message);
    const status = await waitForStatus(slack, message.ts, 'asked');
    expect(status.versions[0]?.text).toBe(`<@${alice}> asked: this cat as an astronaut · 3:2 · 1K · 1 reference image · queued`);
    await test.waitForResult(status);
    const create = test.providerCreates().at(-1);
    expect(promptOf(create)).toBe('this cat as an astronaut');
    expect(create ? referenceFiles(create) : []).toHaveLength(1);
    expect(sameBytes(create?.files[0]?.bytes, photo)).toBe(true);
    expect(uploadsIn(slack, message.ts)).toHaveLength(1);
  });

  it('opens the Remix modal from the message shortcut and remixes with the message images plus the file_input', async () => {
    const { slack } = test;
    const inMessage = await pngOf(0, 0, 0);
    const fromModal = await pngOf(255, 255, 255);
    const source = slack.userMessage({ channel: channelId, user: bob, text: 'my sketch', files: [slack.addUserFile({ bytes: inMessage, name: 'sketch.png', user: bob })] });
    const views = slack.workspace.views.length;
    const ack = await slack.messageShortcut({ userId: alice, message: source, callbackId: 'imagine_remix_shortcut' });
    expect(ack.elapsedMs).toBeLessThan(3000);
    const opened = await slack.waitFor(() => slack.workspace.views[views], 'the modal');
    expect(opened.view.callback_id).toBe('imagine_remix_modal');
    expect(JSON.stringify(opened.view.blocks)).toContain('"type":"file_input"');

    const extra = slack.addUserFile({ bytes: fromModal, name: 'palette.png', user: alice });
    const submitted = await slack.submitView({
      userId: alice,
      view: opened,
      values: {
        remix_prompt: { prompt_input: { type: 'plain_text_input', value: 'ink it in these colours' } },
        remix_files: { files_input: { type: 'file_input', files: [fileJson(extra)] } },
      },
    });
    expect(submitted.payload).toBeUndefined();
    const status = await waitForStatus(slack, source.ts, 'remixed');
    await test.waitForResult(status);
    const create = test.providerCreates().at(-1);
    const references = create ? referenceFiles(create) : [];
    expect(references).toHaveLength(2);
    expect(sameBytes(references[0], inMessage)).toBe(true);
    expect(sameBytes(references[1], fromModal)).toBe(true);
  });

  it('refuses a non-image file with a specific message and charges nothing', async () => {
    const { slack } = test;
    const jobs = (await test.jobs()).length;
    const credits = (await test.creditsLeft(bob));
    const pdf = new TextEncoder().encode('%PDF-1.7\n1 0 obj << >> endobj\n');
    const declared = slack.addUserFile({ bytes: pdf, name: 'brief.pdf', user: bob, mimetype: 'application/pdf' });
    await slack.sendMessageEvent(slack.userMessage({ channel: channelId, user: bob, text: 'use this', threadTs: parent.ts, files: [declared] }));
    await slack.waitFor(() => slack.workspace.ephemerals.find((message) => message.text === '"brief.pdf" is a file of type application/pdf, not an image: attach PNG, JPEG or WebP files.'), 'the declared-type refusal');
    // Named like an image but not one: found out from the bytes after download.
    const disguised = slack.addUserFile({ bytes: pdf, name: 'photo.png', user: bob, mimetype: 'image/png' });
    await slack.sendMentionEvent(slack.userMessage({ channel: channelId, user: bob, text: `<@${slack.identity.botUserId}> use this`, files: [disguised] }));
    await slack.waitFor(() => slack.workspace.ephemerals.find((message) => message.text === '"photo.png" is a PDF document, not an image: attach PNG, JPEG or WebP files.'), 'the sniffed refusal');
    expect((await test.jobs())).toHaveLength(jobs);
    expect((await test.creditsLeft(bob))).toBe(credits);
    expect(await test.runner.store.listIntakes()).toEqual([]);
  });

  it('explains the missing files:read scope when Slack answers its login page, and charges nothing', async () => {
    const { slack } = test;
    const jobs = (await test.jobs()).length;
    const credits = (await test.creditsLeft(alice));
    slack.denyFileDownloads = true;
    try {
      const file = slack.addUserFile({ bytes: await pngOf(5, 5, 5), name: 'dog.png', user: alice });
      await slack.sendMentionEvent(slack.userMessage({ channel: channelId, user: alice, text: `<@${slack.identity.botUserId}> make it a puppy`, files: [file] }));
      const ephemeral = await slack.waitFor(() => slack.workspace.ephemerals.find((message) => message.text.includes('files:read')), 'the scope message');
      expect(ephemeral.text).toMatch(/^Slack answered a login page instead of the image: this app lacks the `files:read` scope\./);
      expect(slack.workspace.downloads.at(-1)).toMatchObject({ fileId: file.id, authorized: true, served: 'login-page' });
    } finally {
      slack.denyFileDownloads = false;
    }
    expect((await test.jobs())).toHaveLength(jobs);
    expect((await test.creditsLeft(alice))).toBe(credits);
    expect(await test.runner.store.listIntakes()).toEqual([]);
  });

  it('starts one job and charges once when Slack redelivers the same event, even after a restart', async () => {
    const { slack } = test;
    const jobs = (await test.jobs()).length;
    const credits = (await test.creditsLeft(bob));
    const file = slack.addUserFile({ bytes: await pngOf(60, 60, 60), name: 'twice.png', user: bob });
    const message = slack.userMessage({ channel: channelId, user: bob, text: `<@${slack.identity.botUserId}> a foggy harbour`, files: [file] });
    await Promise.all([
      slack.sendMentionEvent(message, { eventId: 'Ev0RETRIED' }),
      slack.sendMentionEvent(message, { eventId: 'Ev0RETRIED', retryAttempt: 1 }),
    ]);
    const status = await waitForStatus(slack, message.ts, 'asked');
    await test.waitForResult(status);
    await test.restart();
    const posts = slack.workspace.callsOf('chat.postMessage').length;
    // The ack is held until the event is claimed: once it is back, the restarted app has found the stored job under the key.
    await slack.sendMentionEvent(message, { eventId: 'Ev0RETRIED', retryAttempt: 2 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(slack.workspace.callsOf('chat.postMessage')).toHaveLength(posts);
    expect(slack.workspace.messages.some((posted) => posted.threadTs === message.ts && posted.deleted)).toBe(false);
    expect((await test.jobs())).toHaveLength(jobs + 1);
    expect((await test.creditsLeft(bob))).toBe(credits - 1);
    expect(botMessagesIn(slack, message.ts).filter((posted) => posted.files.length === 0)).toHaveLength(1);
    expect(uploadsIn(slack, message.ts)).toHaveLength(1);
    // The redelivery's intake (refused: the key is known) and its release leave nothing behind.
    expect(await test.runner.store.listIntakes()).toEqual([]);
  });
});
