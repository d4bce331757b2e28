// The benchmark's handle on its fake-Xenodia child process: start it, ask for task timings, stop it.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TaskTimingRecord } from '../fakes/providers/index.ts';
import type { FakeChildMessage, FakeParentMessage, FakeProcessSettings } from './fake-provider-messages.ts';

/** A running fake in its own process. */
export interface FakeProviderChild {
  pid: number | undefined;
  baseUrl: string;
  apiKey: string;
  /** Size of the image served at result URLs. */
  resultBytes: number;
  /** Every task's creation, finish and status reads as the fake saw them, and the CPU time the fake has used since it was ready. */
  taskTimings(): Promise<{ tasks: TaskTimingRecord[]; cpuMs: number }>;
  close(): Promise<void>;
}

const entry = fileURLToPath(new URL('./fake-provider-process.ts', import.meta.url));

function nextMessage<Type extends FakeChildMessage['type']>(child: ChildProcess, type: Type): Promise<Extract<FakeChildMessage, { type: Type }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FakeChildMessage) => {
      if (message.type !== type) return;
      cleanUp();
      resolve(message as Extract<FakeChildMessage, { type: Type }>);
    };
    const onExit = (code: number | null) => {
      cleanUp();
      reject(new Error(`the fake provider process exited (code ${code}) before sending ${type}`));
    };
    const cleanUp = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Forks the fake with tsx and resolves once it listens on loopback. */
export async function startFakeProviderChild(settings: FakeProcessSettings): Promise<FakeProviderChild> {
  const child = fork(entry, ['--latency-ms', String(settings.latencyMs), '--jitter', String(settings.jitter), '--result', settings.result], {
    execArgv: ['--import', 'tsx'],
    // The child's stdout goes to our stderr: stdout carries only the benchmark's JSON.
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  const ready = await nextMessage(child, 'ready');
  const post = (message: FakeParentMessage) => child.send(message);
  return {
    pid: child.pid,
    baseUrl: ready.baseUrl,
    apiKey: ready.apiKey,
    resultBytes: ready.resultBytes,
    async taskTimings() {
      const answer = nextMessage(child, 'timings');
      post({ type: 'timings' });
      const { tasks, cpuMs } = await answer;
      return { tasks, cpuMs: cpuMs - ready.cpuMs };
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      post({ type: 'close' });
      await exited;
    },
  };
}
