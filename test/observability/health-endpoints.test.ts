// The bot as a process on the fakes: /readyz through connecting, disconnects and stop; /healthz all along; /metrics exact and id-free.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sniffImageType } from '../../src/core/image-type.ts';
import { finalReply } from '../adapters/discord/discord-test-bot.ts';
import { FakeDiscord } from '../fakes/discord/fake-discord.ts';
import { resultImageBytes, startFakeXenodia, type FakeXenodia } from '../fakes/providers/index.ts';
import { startFakeSlack, type FakeSlack } from '../fakes/slack/fake-slack.ts';
import { startBotProcess, type BotProcess } from '../support/bot-process.ts';
import { freePort } from '../support/free-port.ts';
import { healthClient, type HealthClient, type ReadyAnswer } from '../support/health-client.ts';
import type { Exposition } from '../support/prometheus-text.ts';

let discord: FakeDiscord;
let slack: FakeSlack;
let xenodia: FakeXenodia;
let directory: string;
let bot: BotProcess | undefined;

beforeAll(async () => {
  discord = await FakeDiscord.start();
  slack = await startFakeSlack();
  xenodia = await startFakeXenodia({ latencyMs: 300, recommendedPollIntervalMs: 100 });
  directory = mkdtempSync(join(tmpdir(), 'nano-health-'));
});

afterAll(async () => {
  await bot?.kill();
  await discord?.close();
  await slack?.close();
  await xenodia?.close();
  rmSync(directory, { recursive: true, force: true });
});

/** Asks /healthz every 100 ms until stopped, keeping every status it got. */
function watchHealthz(health: HealthClient): { stop(): Promise<number[]> } {
  const statuses: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      statuses.push(await health.healthz());
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return statuses;
    },
  };
}

const failingExactly = (expected: string[]) => (answer: ReadyAnswer) =>
  answer.status === 503 && JSON.stringify(answer.body) === JSON.stringify({ ready: false, failing: expected });

/** Change of a series between two scrapes. */
function moved(before: Exposition, after: Exposition, name: string, labels: Record<string, string> = {}): number {
  return after.value(name, labels) - before.value(name, labels);
}

it('is not ready until every platform connects or after one drops, stays alive throughout, and counts exactly the jobs run', async () => {
  const port = await freePort();
  const health = healthClient(port);
  const openSocket = (call: { method: string }) => (call.method === 'apps.connections.open' ? 'before' as const : undefined);
  let releaseIdentifies = discord.gateway.holdIdentifies();
  let releaseSocket = slack.holdCalls(openSocket);
  const starting = startBotProcess({
    name: 'observed',
    cwd: directory,
    readyTimeoutMs: 40_000,
    env: {
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      SLACK_BOT_TOKEN: slack.identity.botToken,
      SLACK_APP_TOKEN: slack.identity.appToken,
      SLACK_API_URL: slack.apiUrl,
      PROVIDER: 'xenodia',
      XENODIA_API_KEY: xenodia.apiKey,
      XENODIA_BASE_URL: xenodia.baseUrl,
      HEALTH_PORT: String(port),
      HEALTH_HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    },
  });
  starting.catch(() => undefined); // awaited below; a failure before then must not be reported twice

  // Connecting: Discord's IDENTIFY and Slack's apps.connections.open are held by the fakes.
  await health.waitForReadiness('both platforms connecting', failingExactly(['bot: starting', 'discord: gateway not connected', 'slack: not connected']));
  expect(await health.healthz()).toBe(200);
  const healthzStatuses = watchHealthz(health);
  releaseIdentifies();
  await health.waitForReadiness('Discord connected, Slack not yet', failingExactly(['bot: starting', 'slack: not connected']));
  releaseSocket();
  bot = await starting;
  await health.waitForReadiness('ready', (answer) => answer.status === 200 && answer.body.ready === true);

  // One job fails with the provider's 402 (Discord), one succeeds (Slack).
  const before = await health.metrics();
  xenodia.setFault('status402', { on: 'create', times: 1 });
  const user = discord.addUser('metrics');
  const refused = discord.slashCommand({ user, name: 'imagine', options: { prompt: 'a banana that costs too much' } });
  expect((await finalReply(discord, refused, 20_000)).content).toContain('out of credit');
  await slack.slashCommand({ userId: 'U0METRICS', channelId: 'C0GENERAL', text: 'a banana that arrives' });
  await slack.waitFor(
    () => slack.workspace.botMessages(slack.identity.botUserId).flatMap((message) => message.files).find((file) => sniffImageType(file.bytes) === 'image/png'),
    'the image uploaded on Slack',
    20_000,
  );
  const finished = (exposition: Exposition) => moved(before, exposition, 'nano_imagine_jobs_finished_total');
  let after = await health.metrics();
  for (const deadline = Date.now() + 10_000; finished(after) < 2 && Date.now() < deadline; after = await health.metrics()) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(moved(before, after, 'nano_imagine_jobs_started_total', { provider: 'xenodia' })).toBe(2);
  expect(finished(after)).toBe(2);
  expect(moved(before, after, 'nano_imagine_jobs_finished_total', { provider: 'xenodia', outcome: 'delivered' })).toBe(1);
  expect(moved(before, after, 'nano_imagine_jobs_finished_total', { provider: 'xenodia', outcome: 'provider_billing' })).toBe(1);
  expect(moved(before, after, 'nano_imagine_credits_total', { movement: 'reserved' })).toBe(2);
  expect(moved(before, after, 'nano_imagine_credits_total', { movement: 'committed' })).toBe(1);
  expect(moved(before, after, 'nano_imagine_credits_total', { movement: 'refunded' })).toBe(1);
  expect(moved(before, after, 'nano_imagine_provider_request_duration_seconds_count', { call: 'submit', outcome: 'ok' })).toBe(1);
  expect(moved(before, after, 'nano_imagine_provider_request_duration_seconds_count', { call: 'submit', outcome: 'provider_billing' })).toBe(1);
  expect(moved(before, after, 'nano_imagine_generation_duration_seconds_count', { provider: 'xenodia' })).toBe(1);
  expect(moved(before, after, 'nano_imagine_detection_lag_seconds_count', { provider: 'xenodia' })).toBe(1);
  const polls = moved(before, after, 'nano_imagine_polls_sent_total', { provider: 'xenodia' });
  expect(polls).toBeGreaterThanOrEqual(1);
  expect(moved(before, after, 'nano_imagine_provider_request_duration_seconds_count', { call: 'poll' })).toBe(polls);
  const resultBytes = (await resultImageBytes('small')).byteLength;
  expect(moved(before, after, 'nano_imagine_result_download_bytes_total', { provider: 'xenodia' })).toBe(resultBytes);
  expect(after.value('nano_imagine_jobs_in_flight')).toBe(0);
  expect(moved(before, after, 'nano_imagine_platform_api_calls_total', { platform: 'discord' })).toBeGreaterThanOrEqual(2);
  expect(moved(before, after, 'nano_imagine_platform_api_calls_total', { platform: 'slack', method: 'chat.postMessage' })).toBeGreaterThanOrEqual(1);
  expect(after.value('nano_imagine_platform_rate_limited_total')).toBe(0);
  expect(after.types.get('process_resident_memory_bytes')).toBe('gauge');

  // No label carries an id, and no secret is anywhere in the text.
  const jobIds = bot.logText().split('\n').filter((line) => line.includes('"job accepted"')).map((line) => (JSON.parse(line) as { jobId: string }).jobId);
  expect(jobIds).toHaveLength(2);
  const ids = [
    user.id, discord.world.guildId, discord.world.channelId, discord.world.applicationId, refused.id, refused.token,
    'U0METRICS', 'C0GENERAL', slack.identity.teamId, slack.identity.botUserId, ...jobIds,
  ];
  const labelValues = after.samples.flatMap((sample) => Object.values(sample.labels));
  expect(labelValues.length).toBeGreaterThan(20);
  for (const value of labelValues) {
    for (const id of ids) expect(value, `a label holds ${id}`).not.toContain(id);
    expect(value, 'a label holds a long number').not.toMatch(/\d{6,}/);
  }
  for (const secret of [discord.token, slack.identity.botToken, slack.identity.appToken, xenodia.apiKey]) expect(after.text).not.toContain(secret);

  // Slack drops its socket: not ready until the reconnection (held, then let through) is open again.
  releaseSocket = slack.holdCalls(openSocket);
  expect(slack.socketMode.dropConnections()).toBe(1);
  await health.waitForReadiness('Slack down', (answer) => answer.status === 503 && /^slack: socket (not connected|reconnecting)$/.test(answer.body.failing?.join() ?? ''));
  releaseSocket();
  await health.waitForReadiness('ready after Slack reconnected', (answer) => answer.status === 200);

  // Discord's gateway drops: not ready until it has identified again.
  releaseIdentifies = discord.gateway.holdIdentifies();
  expect(discord.gateway.dropConnections()).toBe(1);
  await health.waitForReadiness('Discord down', failingExactly(['discord: gateway not connected']));
  releaseIdentifies();
  await health.waitForReadiness('ready after Discord reconnected', (answer) => answer.status === 200);

  const statuses = await healthzStatuses.stop();
  expect(statuses.length).toBeGreaterThan(20);
  expect(statuses.filter((status) => status !== 200)).toEqual([]);

  const stoppingAt = Date.now();
  expect(await bot.stop()).toBe(0);
  expect(Date.now() - stoppingAt).toBeLessThan(10_000);
  expect(await health.healthz()).toBe(0);
}, 120_000);
