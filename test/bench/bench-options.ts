// The benchmark's command-line flags, parsed with node:util parseArgs.
import { parseArgs } from 'node:util';

/** What one benchmark run does. */
export interface BenchOptions {
  /** Jobs started at once. */
  jobs: number;
  /** The fake's nominal task latency. */
  latencyMs: number;
  /** The fake's latency spread as a fraction (0.1 = ±10 %). */
  jitter: number;
  /** Result image the fake serves: ~2 MB noise PNG or a tiny one. */
  result: 'large' | 'small';
  /**
   * POLL_CONCURRENCY for the run (poll requests in flight per provider). The default is 32, not the
   * bot's 8: at the peak all 1,000 tasks are in their dense window, about 1,000 polls a second, and
   * by Little's law 8 slots keep up only while a poll takes under 8 ms, which it does not while the
   * results are downloading on two shared cores (p99 25-300 ms measured).
   */
  pollConcurrency: number;
  /** How long the ledger throughput is measured. */
  ledgerSeconds: number;
}

export const benchUsage = `Usage: npm run bench -- [--jobs N] [--latency-ms MS] [--jitter FRACTION] [--result large|small]
                          [--poll-concurrency N] [--ledger-seconds S]`;

function numberFlag(name: string, text: string | undefined, fallback: number, minimum: number, integer: boolean): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < minimum || (integer && !Number.isInteger(value))) {
    throw new Error(`--${name} must be ${integer ? 'a whole number' : 'a number'} of at least ${minimum}; got "${text}"\n${benchUsage}`);
  }
  return value;
}

/** Parses `argv` (without node and the script); throws with the usage on a bad flag. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      jobs: { type: 'string' },
      'latency-ms': { type: 'string' },
      jitter: { type: 'string' },
      result: { type: 'string' },
      'poll-concurrency': { type: 'string' },
      'ledger-seconds': { type: 'string' },
    },
    strict: true,
  });
  const result = values.result ?? 'large';
  if (result !== 'large' && result !== 'small') throw new Error(`--result must be large or small; got "${result}"\n${benchUsage}`);
  return {
    jobs: numberFlag('jobs', values.jobs, 1000, 1, true),
    latencyMs: numberFlag('latency-ms', values['latency-ms'], 20_000, 0, true),
    jitter: numberFlag('jitter', values.jitter, 0.1, 0, false),
    result,
    pollConcurrency: numberFlag('poll-concurrency', values['poll-concurrency'], 32, 1, true),
    ledgerSeconds: numberFlag('ledger-seconds', values['ledger-seconds'], 3, 0.1, false),
  };
}
