// kill -9 a real bot process with jobs in every state, restart it, and check each job is delivered once and the ledger balances.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import type { JobState } from '../../src/core/job-store.ts';
import { createQuotaPolicy } from '../../src/core/quota-policy.ts';
import { openSqliteStore, type SqliteStore } from '../../src/store/index.ts';
import { startFakeXenodia, type FakeXenodia } from '../fakes/providers/index.ts';
import { spawnTypeScript } from '../support/node-process.ts';
import { waitFor } from '../support/wait-for.ts';

/** A stand-in chat platform that counts what it was asked to post; it can hold deliveries unanswered. */
interface Sink {
  url: string;
  hold: boolean;
  deliveries: Map<string, number>;
  failures: string[];
  close(): Promise<void>;
}

async function startSink(): Promise<Sink> {
  const sink: Omit<Sink, 'url' | 'close'> = { hold: false, deliveries: new Map(), failures: [] };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const reply = (status: number, value: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(value));
      };
      if (request.method === 'GET' && request.url?.startsWith('/delivered/')) {
        const jobId = decodeURIComponent(request.url.slice('/delivered/'.length));
        reply(sink.deliveries.has(jobId) ? 200 : 404, { messageId: `posted-${jobId}` });
        return;
      }
      const payload = JSON.parse(body || '{}') as { jobId: string };
      if (request.url === '/deliver') {
        // The message exists as soon as the platform has the request, answered or not.
        sink.deliveries.set(payload.jobId, (sink.deliveries.get(payload.jobId) ?? 0) + 1);
        if (sink.hold) return;
        reply(200, { messageId: `posted-${payload.jobId}` });
        return;
      }
      if (request.url === '/fail') sink.failures.push(payload.jobId);
      reply(200, {});
    });
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(sink, {
    url,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    },
  });
}

interface Worker {
  process: ChildProcessWithoutNullStreams;
  send(dedupeKey: string, userId: string): void;
}

async function startWorker(environment: Record<string, string>, cwd: string): Promise<Worker> {
  const child = spawnTypeScript('test/support/recovery-worker.ts', {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...environment },
  });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
    if (process.env.TEST_LOGS) process.stderr.write(chunk);
  });
  const lines = createInterface({ input: child.stdout });
  await new Promise<void>((resolveReady, rejectReady) => {
    lines.on('line', (line) => line === 'ready' && resolveReady());
    child.once('exit', (code) => rejectReady(new Error(`worker exited with ${code}: ${errors}`)));
  });
  return {
    process: child,
    send: (dedupeKey, userId) => child.stdin.write(`${JSON.stringify({ dedupeKey, userId, prompt: `crash test ${dedupeKey}` })}\n`),
  };
}

let fake: FakeXenodia;
let sink: Sink;
let directory: string;
let observer: SqliteStore;
const workers: Worker[] = [];

beforeAll(async () => {
  fake = await startFakeXenodia({ latencyMs: 300 });
  sink = await startSink();
  directory = mkdtempSync(join(tmpdir(), 'nano-crash-'));
});

afterAll(async () => {
  for (const worker of workers) worker.process.kill('SIGKILL');
  await observer?.close();
  await Promise.all([fake.close(), sink.close()]);
  rmSync(directory, { recursive: true, force: true });
});

it('recovers queued, submitted, running and succeeded-undelivered jobs after kill -9, delivering each once', async () => {
  const databasePath = join(directory, 'bot.db');
  const environment = {
    DATABASE_PATH: databasePath,
    PROVIDER: 'xenodia',
    XENODIA_API_KEY: fake.apiKey,
    XENODIA_BASE_URL: fake.baseUrl,
    PROVIDER_MAX_IN_FLIGHT: '2',
    QUOTA_DAILY_CREDITS: '10',
    SINK_URL: sink.url,
    LOG_LEVEL: process.env.TEST_LOGS ? 'info' : 'silent',
    // Short leases: the restarted worker takes the killed one's jobs over within seconds.
    JOB_LEASE_SECONDS: '2',
  };
  const first = await startWorker(environment, directory);
  workers.push(first);
  observer = openSqliteStore(databasePath, createQuotaPolicy(parseConfig({ QUOTA_DAILY_CREDITS: '10' }).quota));
  const state = async (key: string): Promise<JobState | undefined> => (await observer.getByDedupeKey(key))?.state;

  // succeeded, not delivered: the platform takes the post but never answers.
  sink.hold = true;
  fake.setLatency(300);
  first.send('job-succeeded', 'u1');
  await waitFor(async () => (await state('job-succeeded')) === 'succeeded' && sink.deliveries.size === 1, 'a held delivery');
  // running: the provider reports generating.
  fake.setLatency(5000);
  first.send('job-running', 'u2');
  await waitFor(async () => (await state('job-running')) === 'running', 'a running job');
  // submitted: created at the provider, not yet seen generating; queued: beyond PROVIDER_MAX_IN_FLIGHT=2.
  fake.setLatency(3000);
  first.send('job-submitted', 'u3');
  first.send('job-queued', 'u4');
  await waitFor(async () => (await state('job-submitted')) === 'submitted' && (await state('job-queued')) === 'queued', 'submitted and queued jobs');
  expect((await observer.getByDedupeKey('job-submitted'))?.taskId).toBeTruthy();

  first.process.kill('SIGKILL');
  await new Promise((resolveExit) => first.process.once('exit', resolveExit));
  expect(await Promise.all(['job-succeeded', 'job-running', 'job-submitted', 'job-queued'].map(state))).toEqual(['succeeded', 'running', 'submitted', 'queued']);

  sink.hold = false;
  fake.setLatency(300);
  const second = await startWorker(environment, directory);
  workers.push(second);
  // The platform retries its events after the outage: the same keys must not create new jobs.
  for (const [key, user] of [['job-succeeded', 'u1'], ['job-running', 'u2'], ['job-submitted', 'u3'], ['job-queued', 'u4']] as const) second.send(key, user);
  const keys = ['job-succeeded', 'job-running', 'job-submitted', 'job-queued'];
  await waitFor(async () => (await Promise.all(keys.map(state))).every((state) => state === 'delivered'), 'every job delivered', 30_000);

  const jobIds = await Promise.all(keys.map(async (key) => (await observer.getByDedupeKey(key))?.id as string));
  expect(jobIds.map((jobId) => sink.deliveries.get(jobId))).toEqual([1, 1, 1, 1]);
  expect(sink.failures).toEqual([]);
  expect(fake.apiRequests().filter((request) => request.method === 'POST')).toHaveLength(4);
  const now = Date.now();
  for (const user of ['u1', 'u2', 'u3', 'u4']) {
    const key = `cli:${user}`;
    const balance = await observer.balance(key, now);
    expect(balance).toMatchObject({ remaining: 9, reserved: 0 });
    const entries = await observer.entries(key);
    expect(entries.filter((entry) => entry.kind === 'reserve')).toHaveLength(1);
    expect(entries.filter((entry) => entry.kind === 'commit')).toHaveLength(1);
    expect(entries.filter((entry) => entry.kind === 'refund')).toHaveLength(0);
    expect(entries.reduce((sum, entry) => sum + entry.amount, 0)).toBe(balance.remaining);
  }
  second.process.kill('SIGTERM');
}, 60_000);
