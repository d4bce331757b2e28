// `npm run bench:platforms` flags, parsed with node:util parseArgs.
import { parseArgs } from 'node:util';

/** Which chat platforms a run covers. */
export type BenchPlatform = 'slack' | 'discord';

/** What one platform benchmark run does. */
export interface PlatformBenchOptions {
  platforms: BenchPlatform[];
  /** Jobs started per platform, from as many different users, in one channel. */
  jobs: number;
  /** The jobs' commands are spread evenly over this long. */
  spreadMs: number;
  /** The fake provider's nominal task duration; with `jitter`, 22.5 s ± 11 % is 20–25 s. */
  latencyMs: number;
  jitter: number;
  /** Result image the fake serves: ~2 MB noise PNG or a tiny one. */
  result: 'large' | 'small';
  /** Longest the run waits for every job to end and show its buttons. */
  timeoutMs: number;
  /**
   * How old the Discord interactions are as the bot sees them (its clock runs this far ahead): 16 makes
   * every token expired, so every edit and result goes through the channel's shared route. Default 0.
   */
  discordTokenAgeMinutes: number;
}

export const platformBenchUsage = `Usage: npm run bench:platforms -- [--platform slack|discord|both] [--jobs N] [--spread-ms MS]
                                    [--latency-ms MS] [--jitter FRACTION] [--result large|small] [--timeout-ms MS]
                                    [--discord-token-age-minutes M]`;

function numberFlag(name: string, text: string | undefined, fallback: number, minimum: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < minimum) throw new Error(`--${name} must be a number of at least ${minimum}; got "${text}"\n${platformBenchUsage}`);
  return value;
}

/** Parses `argv` (without node and the script); throws with the usage on a bad flag. */
export function parsePlatformBenchOptions(argv: readonly string[]): PlatformBenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      platform: { type: 'string' },
      jobs: { type: 'string' },
      'spread-ms': { type: 'string' },
      'latency-ms': { type: 'string' },
      jitter: { type: 'string' },
      result: { type: 'string' },
      'timeout-ms': { type: 'string' },
      'discord-token-age-minutes': { type: 'string' },
    },
    strict: true,
  });
  const platform = values.platform ?? 'both';
  if (platform !== 'slack' && platform !== 'discord' && platform !== 'both') throw new Error(`--platform must be slack, discord or both\n${platformBenchUsage}`);
  const result = values.result ?? 'large';
  if (result !== 'large' && result !== 'small') throw new Error(`--result must be large or small\n${platformBenchUsage}`);
  return {
    platforms: platform === 'both' ? ['slack', 'discord'] : [platform],
    jobs: Math.round(numberFlag('jobs', values.jobs, 100, 1)),
    spreadMs: numberFlag('spread-ms', values['spread-ms'], 10_000, 0),
    latencyMs: numberFlag('latency-ms', values['latency-ms'], 22_500, 0),
    jitter: numberFlag('jitter', values.jitter, 0.111, 0),
    result,
    timeoutMs: numberFlag('timeout-ms', values['timeout-ms'], 300_000, 1000),
    discordTokenAgeMinutes: numberFlag('discord-token-age-minutes', values['discord-token-age-minutes'], 0, 0),
  };
}
