// Several real bot processes on one fake Slack and one database, each told apart by its own API URL label and database name.
import type { FakeSlack } from '../fakes/slack/fake-slack.ts';
import { startBotProcess, type BotProcess } from '../support/bot-process.ts';
import type { TestDatabase } from '../support/job-table.ts';

/** What every bot of a fleet shares, and what each may add. */
export interface FleetOptions {
  slack: FakeSlack;
  database: TestDatabase;
  /** Working folder of the processes (no .env there). */
  cwd: string;
  /** Extra configuration (JOB_LEASE_SECONDS, MOCK_DELAY_MS, …) for every process. */
  environment: Record<string, string>;
}

/**
 * The configuration `npm start` would get for the process `name`. Every process has the same tokens
 * (as on a real deployment); what tells them apart in the fake's records is the API URL label: its
 * Web API calls, byte uploads and its Socket Mode connection (whose URL `apps.connections.open` hands
 * out) all carry `name`. On PostgreSQL its connections carry `name` as application_name.
 */
export function botEnvironment(options: FleetOptions, name: string): Record<string, string> {
  const { slack, database } = options;
  const databaseSetting: Record<string, string> = database.kind === 'postgres'
    ? { DATABASE_URL: withApplicationName(database.url, name) }
    : { DATABASE_PATH: database.path };
  return {
    SLACK_BOT_TOKEN: slack.identity.botToken,
    SLACK_APP_TOKEN: slack.identity.appToken,
    SLACK_API_URL: slack.apiUrlFor(name),
    PROVIDER: 'mock',
    HEALTH_PORT: '0',
    LOG_LEVEL: 'info',
    ...databaseSetting,
    ...options.environment,
  };
}

/** `url` with `application_name=name`, which the `pg` driver sends for every connection it opens. */
export function withApplicationName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('application_name', name);
  return parsed.toString();
}

/** Starts one process per name at once and resolves when every one claims work over its own Socket Mode connection. */
export async function startFleet(options: FleetOptions, names: readonly string[]): Promise<BotProcess[]> {
  const started = await Promise.allSettled(
    names.map((name) => startBotProcess({ name, cwd: options.cwd, env: botEnvironment(options, name), readyTimeoutMs: 40_000 })),
  );
  const bots = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const failure = started.find((outcome) => outcome.status === 'rejected');
  if (failure) {
    await Promise.all(bots.map((bot) => bot.kill()));
    throw (failure as PromiseRejectedResult).reason;
  }
  const labels = options.slack.socketMode.openConnections().map((connection) => connection.client);
  for (const name of names) {
    if (!labels.includes(name)) throw new Error(`${name} has no open Socket Mode connection (open: ${labels.join(', ')})`);
  }
  return bots;
}

/** Which process received each slash command, by the job dedupe key the adapter derives from it (`slack:command:<trigger_id>`). */
export function commandReceivers(slack: FakeSlack): Map<string, string | undefined> {
  const receivers = new Map<string, string | undefined>();
  for (const delivery of slack.socketMode.deliveries) {
    const triggerId = delivery.payload.trigger_id;
    if (delivery.type === 'slash_commands' && typeof triggerId === 'string') receivers.set(`slack:command:${triggerId}`, delivery.client);
  }
  return receivers;
}
