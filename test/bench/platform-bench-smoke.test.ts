// Proves `npm run bench:platforms` still runs end to end: a few jobs on both platforms, every one delivered, no outcome refused.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const entry = fileURLToPath(new URL('./platform-bench.ts', import.meta.url));

interface SmokeSection {
  jobs: { started: number; delivered: number; failed: number };
  rateLimited: { outcome: number };
  finishToPostedMs: { count: number };
}

describe('platform benchmark smoke run', () => {
  it('prints one JSON object in which every job on both platforms was posted (no timing assertions: figures depend on the machine)', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', entry, '--jobs', '6', '--spread-ms', '500', '--latency-ms', '1500', '--result', 'small'],
      { timeout: 120_000, maxBuffer: 10_000_000 },
    );
    const report = JSON.parse(stdout) as { slack: SmokeSection; discord: SmokeSection };
    for (const section of [report.slack, report.discord]) {
      expect(section.jobs).toEqual({ started: 6, delivered: 6, failed: 0 });
      expect(section.rateLimited.outcome).toBe(0);
      expect(section.finishToPostedMs.count).toBe(6);
    }
  }, 150_000);
});
