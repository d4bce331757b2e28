// End-to-end wiring for the Slack tests: fake Slack + fake Xenodia + the real runner on SQLite + the real Bolt app.
import { startSlackApp, type SlackApp } from '../../../src/adapters/slack/index.ts';
import type { ImagineService } from '../../../src/core/imagine-service.ts';
import { jobStates, type JobRecord } from '../../../src/core/job-store.ts';
import { createLogger, silentLogger } from '../../../src/log.ts';
import { findAction, startFakeSlack, type FakeSlack } from '../../fakes/slack/fake-slack.ts';
import type { PayloadContext } from '../../fakes/slack/payloads.ts';
import type { FakeMessage } from '../../fakes/slack/workspace.ts';
import type { FakeXenodia, FakeXenodiaOptions, RecordedRequest } from '../../fakes/providers/index.ts';
import { startAdapterTestBackend } from '../../support/adapter-test-backend.ts';
import { createTestRunner, type TestRunner } from '../../support/runner-harness.ts';
import { pngOf } from '../../support/solid-png.ts';

export { pngOf };

/** How a Slack end-to-end test is set up. */
export interface SlackTestOptions {
  /** `http` runs the app without an app token, verifying signed requests on a local port. */
  mode?: 'socket' | 'http';
  /** Extra runner environment (QUOTA_DAILY_CREDITS, ...). */
  environment?: Record<string, string>;
  /** The adapter's upload limit (default its own 25 MB). */
  uploadLimitBytes?: number;
  /** The fake Xenodia's settings (default 300 ms tasks, polled every 100 ms). */
  xenodia?: FakeXenodiaOptions;
}

/** Everything a Slack end-to-end test drives. `restart()` replaces runner and app, keeping the SQLite file. */
export interface SlackTest {
  slack: FakeSlack;
  xenodia: FakeXenodia;
  runner: TestRunner;
  app: SlackApp;
  /** The SQLite file every instance of this test shares. */
  databasePath: string;
  /** The runner environment (provider, quotas), for more instances on the same file. */
  environment: Record<string, string>;
  restart(): Promise<void>;
  /**
   * Holds this app's `service.start` calls (the step between the posted status message and the stored
   * job) until the returned function is called. Never called before `restart()`, the held requests
   * stay held for good: the old app then acts as a process that died inside that window.
   */
  holdJobStarts(): () => void;
  /** Waits until `message` shows its final buttons and the runner has recorded the delivery. */
  waitForResult(message: FakeMessage): Promise<FakeMessage>;
  /** Every stored job, oldest first. */
  jobs(): Promise<JobRecord[]>;
  /** Credits `userId` has left today. */
  creditsLeft(userId: string): Promise<number>;
  /** Create calls the provider received (not polls or result downloads), oldest first. */
  providerCreates(): RecordedRequest[];
  close(): Promise<void>;
}

/** The runner as the app sees it, with `start` able to wait behind a gate (see `SlackTest.holdJobStarts`). */
function withStartGate(service: ImagineService): { service: ImagineService; hold(): () => void } {
  let gate: Promise<void> | undefined;
  const gated: ImagineService = {
    ...service,
    async start(request, startOptions) {
      if (gate) await gate;
      return service.start(request, startOptions);
    },
  };
  return {
    service: gated,
    hold() {
      let open = () => {};
      gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      return () => {
        gate = undefined;
        open();
      };
    },
  };
}

/** Progress edits every 100 ms instead of every 3 s, in the runner and in the adapter. */
const testProgressIntervalMs = 100;
/** HTTP mode signs with this. */
export const signingSecret = 'fake-signing-secret';
/** The channel and users the tests act in and as. */
export const channelId = 'C0GENERAL';
export const alice = 'U0ALICE';
export const bob = 'U0BOB';

/** One bot "process": a runner on the shared SQLite file and its Slack app. */
export interface SlackInstance {
  runner: TestRunner;
  app: SlackApp;
  /** See `SlackTest.holdJobStarts`. */
  holdJobStarts(): () => void;
  close(): Promise<void>;
}

/** How one instance is started: the test's fake, database and environment. */
export interface SlackInstanceOptions {
  slack: FakeSlack;
  databasePath: string;
  environment: Record<string, string>;
  mode?: 'socket' | 'http';
  uploadLimitBytes?: number;
  /** Web API base for this instance (default the fake's plain one; `slack.apiUrlFor(label)` tells processes apart). */
  apiUrl?: string;
}

/**
 * Starts a runner and the Slack app as `npm start` wires them (plus short intervals), on `databasePath`.
 * Several instances on one file behave like several bot processes sharing one store.
 */
export async function startSlackInstance(options: SlackInstanceOptions): Promise<SlackInstance> {
  const { slack } = options;
  const runner = createTestRunner({ environment: options.environment, progressIntervalMs: testProgressIntervalMs, databasePath: options.databasePath });
  const gated = withStartGate(runner.runner);
  const app = await startSlackApp({
    botToken: slack.identity.botToken,
    ...(options.mode === 'http' ? { signingSecret } : { appToken: slack.identity.appToken }),
    apiUrl: options.apiUrl ?? slack.apiUrl,
    port: 0,
    service: gated.service,
    logger: process.env.TEST_LOGS ? createLogger({ level: 'debug' }).child({ platform: 'slack' }) : silentLogger,
    progressIntervalMs: testProgressIntervalMs,
    ...(options.uploadLimitBytes === undefined ? {} : { uploadLimitBytes: options.uploadLimitBytes }),
  });
  await runner.runner.resume();
  return {
    runner,
    app,
    holdJobStarts: gated.hold,
    async close() {
      await app.stop();
      await runner.close();
    },
  };
}

/** Starts the fakes, then one instance (runner and Slack app) on a new SQLite file. */
export async function startSlackTest(options: SlackTestOptions = {}): Promise<SlackTest> {
  const slack = await startFakeSlack();
  const backend = await startAdapterTestBackend('slack', { environment: options.environment, ...(options.xenodia ? { xenodia: options.xenodia } : {}) });
  const { xenodia, environment, databasePath } = backend;
  const launch = async () => {
    const instance = await startSlackInstance({
      slack,
      databasePath,
      environment,
      ...(options.mode === undefined ? {} : { mode: options.mode }),
      ...(options.uploadLimitBytes === undefined ? {} : { uploadLimitBytes: options.uploadLimitBytes }),
    });
    if (options.mode === 'http') slack.useHttp(`http://127.0.0.1:${instance.app.port}/slack/events`, { signingSecret });
    return instance;
  };
  let current = await launch();
  const test: SlackTest = {
    slack,
    xenodia,
    runner: current.runner,
    app: current.app,
    databasePath,
    environment,
    async restart() {
      await current.close();
      current = await launch();
      test.runner = current.runner;
      test.app = current.app;
    },
    holdJobStarts: () => current.holdJobStarts(),
    async waitForResult(message) {
      await waitForButtons(slack, message);
      // The buttons are edited in before the runner marks the job delivered; wait for that too.
      await test.runner.runner.whenIdle();
      return message;
    },
    jobs: () => test.runner.store.listByState(jobStates),
    creditsLeft: async (userId) => (await test.runner.runner.balance({ platform: 'slack', userId })).remaining,
    providerCreates: () => xenodia.apiRequests().filter((request) => request.method === 'POST'),
    async close() {
      await current.close();
      await slack.close();
      await backend.close();
    },
  };
  return test;
}

/**
 * What payloads built by the test itself (rather than by the fake's own senders) carry: the fake
 * workspace's ids, and response URLs under `/response/<label>` so their answers can be told apart.
 */
export function payloadContextFor(slack: FakeSlack, label: string): PayloadContext {
  return {
    teamId: slack.identity.teamId,
    apiAppId: 'A0FAKEAPP',
    botUserId: slack.identity.botUserId,
    issueTrigger: () => slack.workspace.issueTrigger(),
    newResponseUrl: () => `${slack.baseUrl}/response/${label}`,
  };
}

/** The bot's messages in `channel` (top level when `threadTs` is undefined, else that thread's replies). */
export function botMessagesIn(slack: FakeSlack, threadTs?: string): FakeMessage[] {
  return slack.workspace
    .botMessages(slack.identity.botUserId)
    .filter((message) => (threadTs === undefined ? message.threadTs === undefined : message.threadTs === threadTs));
}

/** Runs `/imagine <text>` as `userId` in `channel` and returns the new status message the bot posts for it. */
export async function imagineStatus(slack: FakeSlack, userId: string, text: string, channel = channelId): Promise<FakeMessage> {
  const before = botMessagesIn(slack).length;
  await slack.slashCommand({ userId, channelId: channel, text });
  return slack.waitFor(() => botMessagesIn(slack)[before], `the status message of "${text}"`);
}

/** Waits until `message` shows its final buttons (the job was delivered) and returns it. */
export function waitForButtons(slack: FakeSlack, message: FakeMessage): Promise<FakeMessage> {
  return slack.waitFor(() => findAction(message.blocks, 'imagine_reroll') !== undefined && message, `buttons on ${message.ts}`);
}

/** Waits for the bot's status message that answers in `threadTs` and whose text contains `needle`. */
export function waitForStatus(slack: FakeSlack, threadTs: string, needle: string): Promise<FakeMessage> {
  return slack.waitFor(
    () => botMessagesIn(slack, threadTs).find((message) => message.files.length === 0 && message.versions[0]?.text.includes(needle)),
    `a status message containing "${needle}" in thread ${threadTs}`,
  );
}

/** The image files the bot uploaded into `threadTs`, oldest first. */
export function uploadsIn(slack: FakeSlack, threadTs: string): Array<{ name: string; bytes: Uint8Array }> {
  return botMessagesIn(slack, threadTs).flatMap((message) => message.files.map((file) => ({ name: file.name, bytes: file.bytes })));
}

/** True when `left` holds exactly the bytes of `right` (false when there is no `left`). */
export function sameBytes(left: Uint8Array | undefined, right: Uint8Array): boolean {
  return left !== undefined && Buffer.from(left).equals(Buffer.from(right));
}

/** The prompt of one provider create request (JSON without references, multipart with them). */
export function promptOf(request: RecordedRequest | undefined): string | undefined {
  return (request?.json as { prompt?: string } | undefined)?.prompt ?? request?.fields.prompt?.[0];
}

/** A scalar field of one provider create request, either encoding. */
export function fieldOf(request: RecordedRequest | undefined, name: string): unknown {
  return (request?.json as Record<string, unknown> | undefined)?.[name] ?? request?.fields[name]?.[0];
}

/** Reference files the provider received in one create request. */
export function referenceFiles(request: RecordedRequest): Uint8Array[] {
  return request.files.map((file) => file.bytes);
}
