// The Slack half of `npm run bench:platforms`: the real Bolt app and runner against the rate-limited fake Slack, N users in one channel.
import { startSlackApp } from '../../src/adapters/slack/index.ts';
import { jobStates, type JobRecord } from '../../src/core/job-store.ts';
import type { Logger } from '../../src/log.ts';
import { findAction, startFakeSlack, type FakeSlack } from '../fakes/slack/fake-slack.ts';
import type { RefusedCall } from '../fakes/slack/rate-limits.ts';
import type { FakeMessage } from '../fakes/slack/workspace.ts';
import { createTestRunner } from '../support/runner-harness.ts';
import type { FakeProviderChild } from './fake-provider-child.ts';
import type { PlatformBenchOptions } from './platform-bench-options.ts';
import { runnerEnvironment, sendSpread, waitUntil } from './platform-bench-steps.ts';
import type { ObservedDelivery, PlatformObservations, RefusedKind } from './platform-report.ts';

const channel = 'C0BUSYBENCH';

/** The dedupe key a bot status message is marked with, if it is one. */
function markerOf(message: FakeMessage): string | undefined {
  const payload = (message.metadata as { event_type?: string; event_payload?: { dedupe_key?: string } } | undefined);
  return payload?.event_type === 'nano_imagine_request' ? payload.event_payload?.dedupe_key : undefined;
}

/** When `jobId`'s buttons first showed in any bot message. */
function buttonsAt(messages: FakeMessage[], jobId: string): number | undefined {
  const times = messages.flatMap((message) =>
    message.versions.filter((version) => (findAction(version.blocks, 'imagine_reroll') as { value?: string } | undefined)?.value === jobId).map((version) => version.at));
  return times.length === 0 ? undefined : Math.min(...times);
}

/** What a refused call was for: the image and anything with buttons are outcomes, a marked post is a status message, other edits progress. */
function refusedKind(call: RefusedCall): RefusedKind {
  if (call.method.startsWith('files.') || (call.fields.blocks ?? '').includes('imagine_reroll') || (call.fields.text ?? '').includes(' failed')) return 'outcome';
  if ((call.fields.metadata ?? '').includes('nano_imagine_request')) return 'status';
  return call.method === 'chat.update' ? 'progress' : 'other';
}

/** When each requester was asked, and when an acknowledgement told them something (the notice of a status message that follows). */
interface Commands {
  sentAt: Map<string, number>;
  noticeAt: Map<string, number>;
}

function observe(slack: FakeSlack, jobs: JobRecord[], finishedAt: Map<string, number>, commands: Commands, startedAt: number): PlatformObservations {
  const bot = slack.workspace.botMessages(slack.identity.botUserId).filter((message) => message.channel === channel);
  const statuses = bot.filter((message) => markerOf(message) !== undefined);
  const deliveries: ObservedDelivery[] = jobs.map((job) => {
    const image = bot.find((message) => message.files.some((file) => file.name.startsWith(`nano-imagine-${job.id}.`)));
    const status = statuses.find((message) => markerOf(message) === job.dedupeKey);
    const asked = commands.sentAt.get(job.requesterKey);
    const firstSeen = Math.min(status?.versions[0]?.at ?? Infinity, image?.versions[0]?.at ?? Infinity, commands.noticeAt.get(job.requesterKey) ?? Infinity);
    return {
      jobId: job.id,
      finishedAt: finishedAt.get(job.taskId ?? '') ?? Number.NaN,
      postedAt: image?.versions[0]?.at,
      buttonsAt: buttonsAt(bot, job.id),
      firstVisibleMs: asked === undefined || !Number.isFinite(firstSeen) ? undefined : firstSeen - asked,
    };
  });
  const refused: Record<RefusedKind, number> = { outcome: 0, status: 0, progress: 0, other: 0 };
  for (const call of slack.rateLimits.refused) refused[refusedKind(call)] += 1;
  const calls: Record<string, number> = {};
  for (const call of slack.workspace.calls) calls[call.method] = (calls[call.method] ?? 0) + 1;
  calls['file upload (bytes)'] = slack.workspace.uploads.length;
  const ended = (message: FakeMessage) => /done in|failed/.test(message.text);
  return {
    platform: 'slack',
    jobs: {
      started: jobs.length,
      delivered: jobs.filter((job) => job.state === 'delivered').length,
      failed: jobs.filter((job) => job.state === 'failed').length,
    },
    deliveries,
    pendingMessages: statuses.map((message) => {
      const finalIndex = message.versions.findIndex((version) => /done in|failed/.test(version.text));
      const updates = (finalIndex < 0 ? message.versions : message.versions.slice(0, finalIndex + 1)).map((version) => version.at);
      return { updates: ended(message) ? updates : [...updates, Date.now()], ended: ended(message) };
    }),
    refused,
    calls,
    durationMs: Math.max(...deliveries.map((entry) => entry.buttonsAt ?? 0)) - startedAt,
  };
}

/** Runs `options.jobs` /imagine commands from as many users into one channel and observes what Slack showed. */
export async function runSlackBench(options: PlatformBenchOptions, provider: FakeProviderChild, logger: Logger): Promise<PlatformObservations> {
  const slack = await startFakeSlack();
  const runner = createTestRunner({ environment: runnerEnvironment(provider), progressIntervalMs: 3000, logger });
  const app = await startSlackApp({
    botToken: slack.identity.botToken,
    appToken: slack.identity.appToken,
    apiUrl: slack.apiUrl,
    port: 0,
    service: runner.runner,
    logger,
  });
  try {
    await runner.runner.resume();
    const commands: Commands = { sentAt: new Map(), noticeAt: new Map() };
    const startedAt = Date.now();
    await sendSpread(options.jobs, options.spreadMs, async (index) => {
      const userId = `U0BENCH${String(index).padStart(4, '0')}`;
      commands.sentAt.set(`slack:${userId}`, Date.now());
      const { ack } = await slack.slashCommand({ userId, channelId: channel, text: `benchmark picture number ${index} --ar 16:9` });
      if (typeof ack.payload?.text === 'string') commands.noticeAt.set(`slack:${userId}`, Date.now());
    });
    const jobs = async () => runner.store.listByState(jobStates);
    await waitUntil(async () => {
      const all = await jobs();
      if (all.length < options.jobs || all.some((job) => job.state !== 'delivered' && job.state !== 'failed')) return false;
      const messages = slack.workspace.botMessages(slack.identity.botUserId);
      return all.every((job) => job.state === 'failed' || buttonsAt(messages, job.id) !== undefined);
    }, options.timeoutMs, 'every Slack job to end with its buttons');
    await runner.runner.whenIdle();
    const finished = new Map((await provider.taskTimings()).tasks.map((task) => [task.id, task.finishedAt]));
    return observe(slack, await jobs(), finished, commands, startedAt);
  } finally {
    await app.stop();
    await runner.close();
    await slack.close();
  }
}
