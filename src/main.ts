// Starts the bot: config → store → providers → runner → health endpoints → every platform with credentials → recovery; stops gracefully.
import { ConfigError, loadConfig } from './config.ts';
import { createJobRunner } from './core/job-runner.ts';
import { createLogger } from './log.ts';
import { createHealthServer, type HealthServer } from './observability/health-server.ts';
import { createPrometheusMetrics } from './observability/prometheus-metrics.ts';
import { createReadiness, deferredProbe, storeProbe } from './observability/readiness.ts';
import { createProviders } from './providers/registry.ts';
import { openStore } from './store/index.ts';

const missingPlatformHelp = `No chat platform is configured, so there is nothing to start.
Set at least one of:
  DISCORD_TOKEN                        to run on Discord (see README: "Discord setup")
  SLACK_BOT_TOKEN + SLACK_APP_TOKEN    to run on Slack in Socket Mode (or SLACK_SIGNING_SECRET for HTTP mode)
in the environment or in .env (copy .env.example). To try image generation offline: npm run imagine -- "a banana astronaut"`;

/** How often jobs past JOB_RETENTION_DAYS are purged while running (also once at start). */
const retentionSweepMs = 6 * 60 * 60 * 1000;

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (!config.discord && !config.slack) {
    process.stderr.write(`${missingPlatformHelp}\n`);
    return 1;
  }
  const logger = createLogger({ level: config.logLevel });
  // A bug in one event handler must not take every user's job down with the process; jobs are in
  // SQLite either way, but staying up keeps progress and deliveries flowing.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  const opened = await openStore(config);
  const providers = createProviders(config);
  const metrics = createPrometheusMetrics({ providers: [...providers.keys()] });
  const runner = createJobRunner({ store: opened.store, providers, config, logger, metrics, blockedTerms: config.blockedTerms });
  const stops: Array<() => Promise<void>> = [];
  /** Where the process is in its life, for /readyz: ready only between the end of start-up and the signal to stop. */
  let phase: 'starting' | 'running' | 'stopping' = 'starting';

  // Up before the platforms connect, so an orchestrator sees "alive, not ready" while they do.
  const readiness = createReadiness();
  readiness.add({ name: 'bot', check: () => (phase === 'running' ? undefined : phase) });
  readiness.add(storeProbe(opened.store));
  const discordProbe = deferredProbe('discord', 'gateway not connected');
  const slackProbe = deferredProbe('slack', 'not connected');
  if (config.discord) readiness.add(discordProbe);
  if (config.slack) readiness.add(slackProbe);
  let health: HealthServer | undefined;

  try {
    health = config.health ? await createHealthServer({ ...config.health, readiness, metrics, logger: logger.child({ component: 'health' }) }) : undefined;
    if (config.discord) {
      const { startDiscordBot } = await import('./adapters/discord/index.ts');
      const bot = await startDiscordBot({
        token: config.discord.token,
        ...(config.discord.apiUrl === undefined ? {} : { apiUrl: config.discord.apiUrl }),
        shards: config.discord.shards,
        service: runner,
        logger: logger.child({ platform: 'discord' }),
        metrics,
      });
      discordProbe.attach(bot.connectionProblem);
      stops.push(bot.stop);
      logger.info('discord bot started');
    }
    if (config.slack) {
      const { startSlackApp } = await import('./adapters/slack/index.ts');
      const app = await startSlackApp({
        botToken: config.slack.botToken,
        ...(config.slack.appToken === undefined ? {} : { appToken: config.slack.appToken }),
        ...(config.slack.signingSecret === undefined ? {} : { signingSecret: config.slack.signingSecret }),
        ...(config.slack.apiUrl === undefined ? {} : { apiUrl: config.slack.apiUrl }),
        port: config.slack.port,
        service: runner,
        logger: logger.child({ platform: 'slack' }),
        metrics,
      });
      slackProbe.attach(app.connectionProblem);
      stops.push(app.stop);
      logger.info({ mode: config.slack.appToken ? 'socket' : 'http' }, 'slack app started');
    }
  } catch (error) {
    // A connected platform, an open listener or a database pool would keep the process alive after a failed start.
    await Promise.allSettled(stops.map((stop) => stop()));
    await health?.close();
    await opened.close().catch(() => undefined);
    throw error;
  }

  await runner.resume();
  phase = 'running';
  const retentionTimer = setInterval(() => {
    opened.store.purgeFinishedBefore(Date.now() - config.jobs.retentionDays * 86_400_000).then(
      (purged) => {
        if (purged > 0) logger.info({ purged }, 'purged jobs past retention');
      },
      (error: unknown) => logger.warn({ err: error }, 'could not purge old jobs'),
    );
  }, retentionSweepMs);
  retentionTimer.unref();

  return new Promise<number>((resolve) => {
    const shutdown = async (signal: string) => {
      if (phase === 'stopping') return;
      phase = 'stopping';
      logger.info({ signal }, 'stopping: unfinished jobs stay in the database and resume on the next start');
      clearInterval(retentionTimer);
      // The runner stops first so no job is failed by a platform connection that is closing.
      await runner.stop();
      await Promise.allSettled(stops.map((stop) => stop()));
      await opened.close();
      // Last: until here /readyz answers 503 "stopping" rather than refusing the connection.
      await health?.close();
      resolve(0);
    };
    process.once('SIGINT', () => void shutdown('SIGINT'));
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`nano-imagine failed to start: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
