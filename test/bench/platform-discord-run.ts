// The Discord half of `npm run bench:platforms`: the real discord.js client and runner against the rate-limited fake Discord, N members in one channel.
import { startDiscordBot } from '../../src/adapters/discord/index.ts';
import { restMethodName } from '../../src/adapters/discord/rest-metrics.ts';
import type { Clock } from '../../src/core/clock.ts';
import { jobStates, type JobRecord } from '../../src/core/job-store.ts';
import type { Logger } from '../../src/log.ts';
import { FakeDiscord, type FakeInteraction, type RecordedCall } from '../fakes/discord/fake-discord.ts';
import { buttonIds } from '../fakes/discord/interaction-payloads.ts';
import { createTestRunner } from '../support/runner-harness.ts';
import type { FakeProviderChild } from './fake-provider-child.ts';
import type { PlatformBenchOptions } from './platform-bench-options.ts';
import { runnerEnvironment, sendSpread, waitUntil } from './platform-bench-steps.ts';
import type { ObservedDelivery, PlatformObservations, RefusedKind } from './platform-report.ts';

/** What progress edits show (queued, generating); every other edit of a pending message ends it. */
const progressPattern = /⏳|🎨/;

/** A call carrying an outcome: the image, or buttons other than the Cancel every pending message has. */
function isOutcome(call: RecordedCall): boolean {
  const components = call.body?.['components'];
  return call.files.length > 0 || (Array.isArray(components) && buttonIds({ components }).some((id) => !id.startsWith('ni1:cancel:')));
}

/** Successful edits of an interaction's reply, through its token or through the channel. */
function editsOf(calls: RecordedCall[], interaction: FakeInteraction): RecordedCall[] {
  const messageId = interaction.originalMessageId;
  return calls.filter((call) =>
    call.method === 'PATCH' && call.status === 200 &&
    (call.path.includes(interaction.token) || (messageId !== undefined && call.path.endsWith(`/messages/${messageId}`))));
}

function observe(discord: FakeDiscord, jobs: JobRecord[], interactions: Map<string, FakeInteraction>, finishedAt: Map<string, number>, startedAt: number): PlatformObservations {
  const calls = discord.calls;
  const deliveries: ObservedDelivery[] = jobs.map((job) => {
    const interaction = interactions.get(job.origin.interaction?.id ?? '');
    const posted = calls.find((call) => call.status === 200 && call.files.some((file) => file.filename.startsWith(`nano-imagine-${job.id}.`)));
    const deferredAt = interaction?.callbacks[0]?.at;
    return {
      jobId: job.id,
      finishedAt: finishedAt.get(job.taskId ?? '') ?? Number.NaN,
      postedAt: posted?.at,
      // The image and its buttons arrive in one edit.
      buttonsAt: posted?.at,
      firstVisibleMs: deferredAt === undefined || interaction === undefined ? undefined : deferredAt - interaction.dispatchedAt,
    };
  });
  const pendingMessages = [...interactions.values()].map((interaction) => {
    const edits = editsOf(calls, interaction);
    // The final state: the image, a failure, or (tokens expired) the pointer to the image posted below.
    const finalIndex = edits.findIndex((call) => isOutcome(call) || !progressPattern.test(String(call.body?.['content'] ?? '')));
    const shown = finalIndex < 0 ? edits : edits.slice(0, finalIndex + 1);
    const deferredAt = interaction.callbacks[0]?.at;
    const updates = [...(deferredAt === undefined ? [] : [deferredAt]), ...shown.map((call) => call.at)];
    return { updates: finalIndex < 0 ? [...updates, Date.now()] : updates, ended: finalIndex >= 0 };
  });
  const refused: Record<RefusedKind, number> = { outcome: 0, status: 0, progress: 0, other: 0 };
  for (const call of calls.filter((candidate) => candidate.status === 429)) {
    refused[isOutcome(call) ? 'outcome' : call.method === 'PATCH' ? 'progress' : 'other'] += 1;
  }
  const byRoute: Record<string, number> = {};
  for (const call of calls) {
    const route = restMethodName(call.method, call.path);
    byRoute[route] = (byRoute[route] ?? 0) + 1;
  }
  return {
    platform: 'discord',
    jobs: {
      started: jobs.length,
      delivered: jobs.filter((job) => job.state === 'delivered').length,
      failed: jobs.filter((job) => job.state === 'failed').length,
    },
    deliveries,
    pendingMessages,
    refused,
    calls: byRoute,
    durationMs: Math.max(...deliveries.map((entry) => entry.buttonsAt ?? 0)) - startedAt,
  };
}

/** Runs `options.jobs` /imagine commands from as many members into one channel and observes what Discord showed. */
export async function runDiscordBench(options: PlatformBenchOptions, provider: FakeProviderChild, logger: Logger): Promise<PlatformObservations> {
  const discord = await FakeDiscord.start();
  const runner = createTestRunner({ environment: runnerEnvironment(provider), progressIntervalMs: 3000, logger });
  const aheadMs = options.discordTokenAgeMinutes * 60_000;
  const clock: Clock = {
    now: () => Date.now() + aheadMs,
    setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  };
  const bot = await startDiscordBot({ token: discord.token, apiUrl: discord.apiUrl, service: runner.runner, logger, clock });
  try {
    await runner.runner.resume();
    const members = Array.from({ length: options.jobs }, (_, index) => discord.addUser(`member${index}`));
    const interactions = new Map<string, FakeInteraction>();
    const startedAt = Date.now();
    await sendSpread(options.jobs, options.spreadMs, async (index) => {
      const interaction = discord.slashCommand({ user: members[index] as (typeof members)[number], name: 'imagine', options: { prompt: `benchmark picture number ${index}`, aspect: '16:9' } });
      interactions.set(interaction.id, interaction);
    });
    const jobs = async () => runner.store.listByState(jobStates);
    await waitUntil(async () => {
      const all = await jobs();
      return all.length >= options.jobs && all.every((job) => job.state === 'delivered' || job.state === 'failed');
    }, options.timeoutMs, 'every Discord job to end');
    await runner.runner.whenIdle();
    const finished = new Map((await provider.taskTimings()).tasks.map((task) => [task.id, task.finishedAt]));
    return observe(discord, await jobs(), interactions, finished, startedAt);
  } finally {
    await bot.stop();
    await runner.close();
    await discord.close();
  }
}
