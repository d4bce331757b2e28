// `npm run bench:platforms`: a burst of /imagine in one Slack channel and in one Discord channel against rate-limited fakes; one JSON object on stdout.
import { createLogger } from '../../src/log.ts';
import { startFakeProviderChild } from './fake-provider-child.ts';
import { parsePlatformBenchOptions, type BenchPlatform, type PlatformBenchOptions } from './platform-bench-options.ts';
import { runDiscordBench } from './platform-discord-run.ts';
import { platformReport, type PlatformReport } from './platform-report.ts';
import { runSlackBench } from './platform-slack-run.ts';

/** Progress and notes go to stderr so stdout holds exactly the result. */
function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** One platform's run with a fake provider of its own (its task book then holds only this run's tasks). */
async function runPlatform(platform: BenchPlatform, options: PlatformBenchOptions): Promise<PlatformReport> {
  const provider = await startFakeProviderChild({ latencyMs: options.latencyMs, jitter: options.jitter, result: options.result });
  // The bot's own warnings (rate limits, failed edits) go to stderr next to the progress lines.
  const logger = createLogger({ level: 'warn' }).child({ platform });
  try {
    log(`${platform}: ${options.jobs} jobs in one channel over ${options.spreadMs / 1000} s, tasks ${options.latencyMs / 1000} s ± ${Math.round(options.jitter * 100)} %`);
    const observations = platform === 'slack' ? await runSlackBench(options, provider, logger) : await runDiscordBench(options, provider, logger);
    return platformReport(observations);
  } finally {
    await provider.close();
  }
}

async function main(): Promise<void> {
  const options = parsePlatformBenchOptions(process.argv.slice(2));
  const report: Record<string, unknown> = {
    settings: {
      jobs: options.jobs,
      spreadMs: options.spreadMs,
      latencyMs: options.latencyMs,
      jitter: options.jitter,
      result: options.result,
      discordTokenAgeMinutes: options.discordTokenAgeMinutes,
    },
  };
  for (const platform of options.platforms) report[platform] = await runPlatform(platform, options);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

main().catch((error: unknown) => {
  log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
