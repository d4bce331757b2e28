// Child-process entry: runs the fake Xenodia so the benchmark process's RSS and CPU measure the bot side only.
import { parseArgs } from 'node:util';
import { resultImageBytes, startFakeXenodia } from '../fakes/providers/index.ts';
import type { FakeChildMessage, FakeParentMessage } from './fake-provider-messages.ts';

function send(message: FakeChildMessage): void {
  process.send?.(message);
}

function cpuMs(): number {
  const usage = process.cpuUsage();
  return Math.round((usage.user + usage.system) / 1000);
}

async function main(): Promise<void> {
  if (process.send === undefined) throw new Error('fake-provider-process.ts runs as a forked child with an IPC channel');
  const { values } = parseArgs({
    options: {
      'latency-ms': { type: 'string' },
      jitter: { type: 'string' },
      result: { type: 'string' },
    },
  });
  const result = values.result === 'small' ? 'small' : 'large';
  const fake = await startFakeXenodia({
    latencyMs: Number(values['latency-ms'] ?? 20_000),
    jitter: Number(values.jitter ?? 0.1),
    resultImage: result,
    // A thousand recorded requests would hold every body; the benchmark reads the task book instead.
    recordRequests: false,
  });
  const bytes = await resultImageBytes(result);

  const shutDown = async () => {
    await fake.close();
    process.disconnect?.();
    process.exit(0);
  };
  process.on('message', (message: FakeParentMessage) => {
    if (message.type === 'timings') send({ type: 'timings', tasks: fake.taskTimings(), cpuMs: cpuMs() });
    else if (message.type === 'close') void shutDown();
  });
  // An orphaned fake would hold its port forever if the benchmark died without saying goodbye.
  process.on('disconnect', () => void shutDown());
  send({ type: 'ready', baseUrl: fake.baseUrl, apiKey: fake.apiKey, resultBytes: bytes.byteLength, cpuMs: cpuMs() });
}

main().catch((error: unknown) => {
  process.stderr.write(`fake provider process failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
