// `kill -9` right after Slack's ack: a real bot process dies on a request that is not a job yet; the restarted one finishes it, once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config.ts';
import { sniffImageType } from '../../../src/core/image-type.ts';
import { jobStates } from '../../../src/core/job-store.ts';
import { createQuotaPolicy } from '../../../src/core/quota-policy.ts';
import { openSqliteStore, type SqliteStore } from '../../../src/store/index.ts';
import { findAction, startFakeSlack, type FakeSlack } from '../../fakes/slack/fake-slack.ts';
import type { FakeMessage } from '../../fakes/slack/workspace.ts';
import { startBotProcess, type BotProcess } from '../../support/bot-process.ts';
import { botMessagesIn, channelId, pngOf, uploadsIn, waitForStatus } from './slack-test-app.ts';

const user = 'U0KIM';
const credits = 10;

let slack: FakeSlack;
let directory: string;
let observer: SqliteStore;
const bots: BotProcess[] = [];

beforeAll(async () => {
  slack = await startFakeSlack();
  directory = mkdtempSync(join(tmpdir(), 'nano-slack-kill-ack-'));
});

afterAll(async () => {
  for (const bot of bots) await bot.kill();
  await observer?.close();
  await slack?.close();
  rmSync(directory, { recursive: true, force: true });
});

async function startBot(name: string): Promise<BotProcess> {
  const bot = await startBotProcess({
    name,
    cwd: directory,
    env: {
      SLACK_BOT_TOKEN: slack.identity.botToken,
      SLACK_APP_TOKEN: slack.identity.appToken,
      SLACK_API_URL: slack.apiUrl,
      DATABASE_PATH: join(directory, 'bot.db'),
      PROVIDER: 'mock',
      MOCK_DELAY_MS: '200',
      QUOTA_DAILY_CREDITS: String(credits),
      // A dead process's intake can be taken over 2 s after its last renewal.
      JOB_LEASE_SECONDS: '2',
      HEALTH_PORT: '0',
      LOG_LEVEL: 'info',
    },
  });
  bots.push(bot);
  observer ??= openSqliteStore(join(directory, 'bot.db'), createQuotaPolicy(parseConfig({ QUOTA_DAILY_CREDITS: String(credits) }).quota));
  return bot;
}

/** Waits (long enough for a lease to expire and a process to start) until `message` shows its final buttons. */
function finished(message: FakeMessage): Promise<FakeMessage> {
  return slack.waitFor(() => findAction(message.blocks, 'imagine_reroll') !== undefined && message, `buttons on ${message.ts}`, 30_000);
}

/** The user's job rows in the ledger, oldest first: what was reserved, committed and refunded. */
async function ledgerKinds(): Promise<string[]> {
  const entries = await observer.entries(`slack:${user}`, 100);
  return entries.map((entry) => entry.kind).filter((kind) => kind === 'reserve' || kind === 'commit' || kind === 'refund').reverse();
}

describe('Slack: kill -9 right after the ack', () => {
  let result: FakeMessage;

  it('a text-only /imagine: the restarted bot finds the status message the dead one posted and finishes the request on it', async () => {
    const first = await startBot('first');
    // Slack posts the status message, but the bot never hears back: it dies between posting and storing the job.
    const release = slack.holdCalls((call) => (call.method === 'chat.postMessage' ? 'after' : undefined));
    const { ack } = await slack.slashCommand({ userId: user, channelId, text: 'a lighthouse at dusk --ar 16:9' });
    expect(ack.elapsedMs).toBeLessThan(3000);
    await first.kill();
    release();
    const [status] = botMessagesIn(slack);
    expect(status?.text).toBe(`<@${user}> asked: a lighthouse at dusk · 16:9 · 1K · queued`);
    // Acknowledged, not a job: only the intake knows about it.
    expect(await observer.listByState(jobStates)).toEqual([]);
    expect(await observer.listIntakes()).toEqual([expect.objectContaining({ dedupeKey: expect.stringMatching(/^slack:command:/), payload: expect.objectContaining({ kind: 'command', prompt: 'a lighthouse at dusk' }) })]);

    await startBot('restarted');
    result = await finished(status as FakeMessage);
    // A second delivery (a second takeover, or a second job) would come after the first: give it time to show.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(botMessagesIn(slack)).toEqual([result]);
    const uploads = uploadsIn(slack, result.ts);
    expect(uploads).toHaveLength(1);
    expect(sniffImageType(uploads[0]?.bytes ?? new Uint8Array())).toBe('image/png');
    expect(await observer.listIntakes()).toEqual([]);
    expect(await ledgerKinds()).toEqual(['reserve', 'commit']);
  }, 60_000);

  it('a thread reply with an attached image: the restarted bot downloads the image again and finishes the remix once', async () => {
    const running = bots.at(-1) as BotProcess;
    const file = slack.addUserFile({ bytes: await pngOf(30, 160, 90), name: 'palette.png', user });
    const reply = slack.userMessage({ channel: channelId, user, text: 'use the colours of this palette', threadTs: result.ts, files: [file] });
    // The bot gets as far as fetching the earlier result (after downloading the attachment), then dies.
    const release = slack.holdCalls((call) => (call.method === 'files.info' ? 'before' : undefined));
    const ack = await slack.sendMessageEvent(reply);
    // Acked as soon as the request was recorded, while the handler still works (not at the 2 s deadline).
    expect(ack.elapsedMs).toBeLessThan(1500);
    await slack.waitFor(() => slack.holds.held.some((held) => held.method === 'files.info' && held.releasedAt === undefined), 'the held files.info');
    await running.kill();
    release();
    expect(slack.workspace.downloads.filter((download) => download.fileId === file.id)).toHaveLength(1);
    expect((await observer.listByState(jobStates)).length).toBe(1);
    expect(await observer.listIntakes()).toEqual([expect.objectContaining({ dedupeKey: expect.stringMatching(/^slack:event:/), payload: expect.objectContaining({ kind: 'message', via: 'reply' }) })]);

    await startBot('third');
    const status = await waitForStatus(slack, result.ts, 'remixed');
    await finished(status);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(status.versions[0]?.text).toBe(`<@${user}> remixed: use the colours of this palette · 16:9 · 1K · 2 reference images · queued`);
    expect(botMessagesIn(slack, result.ts).filter((posted) => posted.files.length === 0)).toEqual([status]);
    expect(uploadsIn(slack, result.ts)).toHaveLength(2);
    expect(slack.workspace.downloads.filter((download) => download.fileId === file.id)).toHaveLength(2);
    const jobs = await observer.listByState(jobStates);
    expect(jobs.map((job) => job.state)).toEqual(['delivered', 'delivered']);
    expect(jobs.at(-1)?.origin).toMatchObject({ channelId, threadId: result.ts, messageId: status.ts, replyToMessageId: reply.ts });
    expect(await observer.listIntakes()).toEqual([]);
    expect(await ledgerKinds()).toEqual(['reserve', 'commit', 'reserve', 'commit']);
  }, 60_000);
});
