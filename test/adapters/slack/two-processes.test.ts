// Two bot processes on one store (two runners on one SQLite file, two Bolt apps): an event that reaches both is handled once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Acknowledged } from '../../fakes/slack/fake-slack.ts';
import { appMentionEvent, eventCallbackPayload, type PayloadContext } from '../../fakes/slack/payloads.ts';
import { postSigned } from '../../fakes/slack/signed-request.ts';
import {
  alice,
  bob,
  botMessagesIn,
  channelId,
  payloadContextFor,
  pngOf,
  signingSecret,
  startSlackInstance,
  startSlackTest,
  uploadsIn,
  waitForButtons,
  waitForStatus,
  type SlackInstance,
  type SlackTest,
} from './slack-test-app.ts';

describe.each(['socket', 'http'] as const)('two Slack app processes on one store (%s mode)', (mode) => {
  let test: SlackTest;
  let second: SlackInstance;
  let context: PayloadContext;

  /** Hands `payload` to one process: its own Socket Mode connection, or its own HTTP endpoint. */
  async function deliverTo(process: 'first' | 'second', payload: Record<string, unknown>, retryAttempt: number): Promise<Acknowledged> {
    if (mode === 'http') {
      const app = process === 'first' ? test.app : second.app;
      return postSigned(`http://127.0.0.1:${app.port}/slack/events`, 'events_api', payload, { signingSecret, ...(retryAttempt > 0 ? { retryNum: retryAttempt } : {}) });
    }
    const label = process === 'first' ? undefined : 'second';
    const connection = test.slack.socketMode.openConnections().find((open) => open.client === label);
    if (!connection) throw new Error(`the ${process} process has no Socket Mode connection`);
    return test.slack.deliver('events_api', payload, { connectionId: connection.id, retryAttempt });
  }

  beforeAll(async () => {
    test = await startSlackTest({ mode });
    second = await startSlackInstance({ slack: test.slack, databasePath: test.databasePath, environment: test.environment, mode, apiUrl: test.slack.apiUrlFor('second') });
    context = payloadContextFor(test.slack, 'two');
    if (mode === 'socket') await test.slack.waitFor(() => test.slack.socketMode.openConnections().length === 2, 'both Socket Mode connections');
  });
  afterAll(async () => {
    await second?.close();
    await test?.close();
  });

  it('starts one job, charges once and posts one status message for the same event handed to both', async () => {
    const { slack } = test;
    const jobs = (await test.jobs()).length;
    const credits = await test.creditsLeft(alice);
    const file = slack.addUserFile({ bytes: await pngOf(40, 80, 120), name: 'both.png', user: alice });
    const message = slack.userMessage({ channel: channelId, user: alice, text: `<@${slack.identity.botUserId}> one harbour, two processes`, files: [file] });
    const payload = eventCallbackPayload(context, appMentionEvent(message), `Ev0BOTH${mode.toUpperCase()}`);
    // Slack retried the event (the first ack seemed late) and the retry went to the other process.
    const acks = await Promise.all([deliverTo('first', payload, 0), deliverTo('second', payload, 1)]);
    for (const ack of acks) expect(ack.elapsedMs).toBeLessThan(3000);

    const status = await waitForStatus(slack, message.ts, 'asked');
    await waitForButtons(slack, status);
    await slack.waitFor(async () => (await test.jobs()).at(-1)?.state === 'delivered', 'the job delivered');
    expect(await test.jobs()).toHaveLength(jobs + 1);
    expect(await test.creditsLeft(alice)).toBe(credits - 1);
    expect(botMessagesIn(slack, message.ts).filter((posted) => posted.files.length === 0)).toEqual([status]);
    expect(uploadsIn(slack, message.ts)).toHaveLength(1);
    expect(test.providerCreates()).toHaveLength(1);
    // Only the process that claimed the event downloaded the user's file.
    expect(slack.workspace.downloads.filter((download) => download.fileId === file.id)).toHaveLength(1);
    expect(await test.runner.store.listIntakes()).toEqual([]);
  });

  it('drops an event in one process that the other already answered without a job (the key is remembered in the store)', async () => {
    const { slack } = test;
    const message = slack.userMessage({ channel: channelId, user: bob, text: `<@${slack.identity.botUserId}> help` });
    const payload = eventCallbackPayload(context, appMentionEvent(message), `Ev0HELP${mode.toUpperCase()}`);
    const helpFor = () => slack.workspace.ephemerals.filter((ephemeral) => ephemeral.user === bob);
    await deliverTo('first', payload, 0);
    await slack.waitFor(() => helpFor().length === 1, 'the help text');
    // The ack only comes once the event is claimed or dropped, so nothing can follow it.
    await deliverTo('second', payload, 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(helpFor()).toHaveLength(1);
    expect(await test.runner.store.listIntakes()).toEqual([]);
  });
});
