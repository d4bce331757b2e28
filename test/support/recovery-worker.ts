// A bot process for the crash-recovery test: the real runner and store, delivering to an HTTP sink; jobs arrive on stdin.
import { createInterface } from 'node:readline';
import { loadConfig } from '../../src/config.ts';
import type { Delivery } from '../../src/core/delivery.ts';
import { createJobRunner } from '../../src/core/job-runner.ts';
import { createProviders } from '../../src/providers/registry.ts';
import { openStore } from '../../src/store/index.ts';
import { createLogger } from '../../src/log.ts';

const sinkUrl = process.env.SINK_URL as string;

async function post(path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${sinkUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`sink answered ${response.status}`);
  return response.json();
}

/** Stands in for a chat platform: what it receives is what users would have seen. */
const sinkDelivery: Delivery = {
  platform: 'cli',
  async progress(_origin, progress) {
    await post('/progress', { jobId: progress.summary.jobId, phase: progress.phase });
  },
  async deliver(_origin, result) {
    return (await post('/deliver', { jobId: result.summary.jobId, bytes: result.image.data.byteLength })) as { messageId: string };
  },
  async cancelled(_origin, notice) {
    await post('/cancelled', { jobId: notice.summary.jobId, refunded: notice.refunded });
  },
  async fail(_origin, failure) {
    await post('/fail', { jobId: failure.summary.jobId, code: failure.error.code, refunded: failure.refunded });
  },
  async findDelivered(_origin, jobId) {
    const response = await fetch(`${sinkUrl}/delivered/${encodeURIComponent(jobId)}`);
    return response.status === 200 ? ((await response.json()) as { messageId: string }) : undefined;
  },
};

const config = loadConfig();
const opened = await openStore(config);
const runner = createJobRunner({ store: opened.store, providers: createProviders(config), config, logger: createLogger({ level: config.logLevel }), progressIntervalMs: 200 });
runner.registerDelivery(sinkDelivery);
await runner.resume();
process.stdout.write('ready\n');

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as { dedupeKey: string; userId: string; prompt: string };
  const started = await runner.start(
    {
      prompt: command.prompt,
      references: [],
      resolution: '1K',
      outputFormat: 'png',
      provider: 'xenodia',
      requester: { platform: 'cli', userId: command.userId },
      origin: { platform: 'cli', channelId: 'crash-test' },
    },
    { dedupeKey: command.dedupeKey },
  );
  process.stdout.write(`${JSON.stringify({ dedupeKey: command.dedupeKey, jobId: started.jobId, duplicate: started.duplicate })}\n`);
}
