// The IPC messages between the benchmark and its fake-Xenodia child process.
import type { TaskTimingRecord } from '../fakes/providers/index.ts';

/** Child → parent. */
export type FakeChildMessage =
  | { type: 'ready'; baseUrl: string; apiKey: string; resultBytes: number; cpuMs: number }
  | { type: 'timings'; tasks: TaskTimingRecord[]; cpuMs: number };

/** Parent → child. */
export type FakeParentMessage = { type: 'timings' } | { type: 'close' };

/** Settings the child starts the fake with. */
export interface FakeProcessSettings {
  latencyMs: number;
  jitter: number;
  result: 'large' | 'small';
}
