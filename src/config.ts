// The bot's configuration: one zod schema over the environment (and `.env`), the only reader of process.env.
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import type { BlockedRule } from './core/blocked-terms.ts';
import type { PriceTable } from './core/price-table.ts';
import { providerIds, type ProviderId, type Resolution } from './core/request.ts';
import {
  adminIds,
  baseUrl,
  blockedTerms,
  integerVariable,
  nonNegativeInteger,
  optionalText,
  positiveInteger,
  priceTable,
  providerList,
  quotaCosts,
  shardIds,
} from './config-parsers.ts';

/** Thrown when the environment is unusable; the message names the variable to set. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}


const environmentSchema = z.object({
  PROVIDER: optionalText.pipe(z.enum(providerIds, { message: `must be one of ${providerIds.join(', ')}` }).optional()),
  PROVIDER_MODEL: optionalText,
  PROVIDER_FALLBACKS: providerList,
  PROVIDER_COOLDOWN_SECONDS: nonNegativeInteger(300),
  PROVIDER_PRICES: priceTable,
  XENODIA_API_KEY: optionalText,
  XENODIA_BASE_URL: baseUrl('https://api.xenodia.xyz'),
  XINGCHAO_API_KEY: optionalText,
  XINGCHAO_BASE_URL: baseUrl('https://zcbservice.aizfw.cn/kyyReactApiServer'),
  NBPCLOUD_API_KEY: optionalText,
  NBPCLOUD_BASE_URL: baseUrl('https://nanobananapro.cloud'),
  NBPNET_API_KEY: optionalText,
  NBPNET_BASE_URL: baseUrl('https://nano-banana-pro.net'),
  NBPNET_PLAN: optionalText.pipe(z.enum(['free', 'standard', 'pro'], { message: 'must be free, standard or pro' }).optional()),
  MOCK_DELAY_MS: nonNegativeInteger(3000),
  DATABASE_PATH: optionalText.transform((value) => value ?? 'data/bot.db'),
  DATABASE_URL: optionalText.pipe(
    z.string().regex(/^postgres(ql)?:\/\//, 'must be a PostgreSQL URL like postgres://user:password@host:5432/database').optional(),
  ),
  JOB_LEASE_SECONDS: integerVariable(2).transform((value) => value ?? 30),
  DISCORD_TOKEN: optionalText,
  DISCORD_APP_ID: optionalText,
  DISCORD_GUILD_ID: optionalText,
  DISCORD_API_URL: optionalText.pipe(z.string().url('must be an http(s) URL').optional()),
  DISCORD_SHARD_COUNT: integerVariable(1),
  DISCORD_SHARD_IDS: shardIds,
  SLACK_BOT_TOKEN: optionalText,
  SLACK_APP_TOKEN: optionalText,
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_API_URL: optionalText.pipe(z.string().url('must be an http(s) URL').optional()),
  PORT: positiveInteger(3000),
  HEALTH_PORT: nonNegativeInteger(9090).pipe(z.number().max(65535, 'must be a port number (0 turns the endpoints off)')),
  HEALTH_HOST: optionalText.transform((value) => value ?? '127.0.0.1'),
  LOG_LEVEL: optionalText.pipe(
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'must be fatal, error, warn, info, debug, trace or silent' }).optional(),
  ),
  JOB_DEADLINE_SECONDS: positiveInteger(600),
  MAX_JOBS_PER_USER: positiveInteger(2),
  PROVIDER_MAX_IN_FLIGHT: positiveInteger(16),
  POLL_CONCURRENCY: positiveInteger(8),
  JOB_RETENTION_DAYS: positiveInteger(30),
  SHOW_IMAGE_MAX_MB: nonNegativeInteger(8).pipe(z.number().max(25, 'must be at most 25 (MB); 0 keeps no images')),
  QUOTA_DAILY_CREDITS: nonNegativeInteger(20),
  QUOTA_COSTS: quotaCosts,
  QUOTA_COMMUNITY_DAILY_CREDITS: integerVariable(0),
  ADMIN_USER_IDS: adminIds,
  BLOCKED_TERMS: blockedTerms,
});

export type NbpNetPlan = 'free' | 'standard' | 'pro';

export interface ProviderConnection {
  apiKey: string | undefined;
  baseUrl: string;
}

export interface Config {
  /** Provider used when a request names none, and its optional model. */
  defaultProvider: ProviderId;
  defaultModel: string | undefined;
  /** Where a request given the default provider may go when that provider does not take it (see core/failover.ts). */
  failover: {
    /** PROVIDER_FALLBACKS: configured providers, in the order they are tried. */
    fallbacks: ProviderId[];
    /** PROVIDER_COOLDOWN_SECONDS in ms: how long a provider that answered 401 or 402 is passed over. */
    cooldownMs: number;
  };
  /** PROVIDER_PRICES: what one image costs the operator per provider and resolution, in the provider's own unit. */
  prices: PriceTable;
  providers: {
    xenodia: ProviderConnection;
    xingchao: ProviderConnection;
    nbpCloud: ProviderConnection;
    nbpNet: ProviderConnection & { plan: NbpNetPlan };
    mock: { delayMs: number };
  };
  /** The shared store: SQLite at `path` (the default), or PostgreSQL at `url` when DATABASE_URL is set. */
  database: { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };
  /** SQLite file (DATABASE_PATH); used when `database.kind` is `sqlite`. */
  databasePath: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  jobs: {
    /** A task with no result after this long fails with `provider_timeout` (and a refund). */
    deadlineMs: number;
    /** Jobs one user may have running at once; more wait in the queue. */
    maxPerUser: number;
    /** Jobs in flight per provider; more wait in FIFO order. */
    maxInFlightPerProvider: number;
    /** Poll requests in flight at once per provider. */
    pollConcurrencyPerProvider: number;
    retentionDays: number;
    /** How long a claim on a job lasts without renewal; after that another process may take it over. */
    leaseMs: number;
    /** Largest copy of a posted image kept for `/show` (larger ones are re-encoded under it); 0 keeps none. */
    keptImageMaxBytes: number;
  };
  quota: {
    dailyCredits: number;
    costs: Record<Resolution, number>;
    /** Optional cap over all users of one Discord guild or Slack workspace per UTC day. */
    communityDailyCredits: number | undefined;
    /** Platform-qualified ids (`discord:123`) with no limit who may grant and reset. */
    adminUserIds: string[];
  };
  discord:
    | {
        token: string;
        applicationId: string | undefined;
        guildId: string | undefined;
        apiUrl: string | undefined;
        /**
         * Gateway shards: `count` undefined asks Discord for its recommendation; `ids` undefined runs
         * every shard in this process.
         */
        shards: { count: number | undefined; ids: number[] | undefined };
      }
    | undefined;
  slack:
    | { botToken: string; appToken: string | undefined; signingSecret: string | undefined; apiUrl: string | undefined; port: number }
    | undefined;
  /** Where /healthz, /readyz and /metrics are served (HEALTH_HOST, HEALTH_PORT); undefined when HEALTH_PORT=0. */
  health: { host: string; port: number } | undefined;
  /** BLOCKED_TERMS compiled once: the operator's rules, checked against every prompt before a job exists. */
  blockedTerms: BlockedRule[];
}

/** The operator's PROVIDER_MODEL when `providerId` is the default provider; otherwise the provider decides. */
export function operatorModelFor(config: Pick<Config, 'defaultProvider' | 'defaultModel'>, providerId: ProviderId): string | undefined {
  return providerId === config.defaultProvider ? config.defaultModel : undefined;
}

/** Ids of providers that have what they need to run (a key, or nothing for `mock`). */
export function configuredProviders(config: Config): ProviderId[] {
  const ready: ProviderId[] = ['mock'];
  if (config.providers.xenodia.apiKey) ready.push('xenodia');
  if (config.providers.xingchao.apiKey) ready.push('xingchao');
  if (config.providers.nbpCloud.apiKey) ready.push('nbp-cloud');
  if (config.providers.nbpNet.apiKey) ready.push('nbp-net');
  return ready;
}

const keyVariable: Record<Exclude<ProviderId, 'mock'>, string> = {
  xenodia: 'XENODIA_API_KEY',
  xingchao: 'XINGCHAO_API_KEY',
  'nbp-cloud': 'NBPCLOUD_API_KEY',
  'nbp-net': 'NBPNET_API_KEY',
};

/** The variable holding `providerId`'s API key (for messages). */
export function apiKeyVariable(providerId: Exclude<ProviderId, 'mock'>): string {
  return keyVariable[providerId];
}

/** Builds the configuration from an environment record. Throws `ConfigError` naming each bad variable. */
export function parseConfig(environment: Record<string, string | undefined>): Config {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const env = parsed.data;
  const config: Config = {
    defaultProvider: env.PROVIDER ?? 'mock',
    defaultModel: env.PROVIDER_MODEL,
    failover: { fallbacks: env.PROVIDER_FALLBACKS, cooldownMs: env.PROVIDER_COOLDOWN_SECONDS * 1000 },
    prices: env.PROVIDER_PRICES,
    providers: {
      xenodia: { apiKey: env.XENODIA_API_KEY, baseUrl: env.XENODIA_BASE_URL },
      xingchao: { apiKey: env.XINGCHAO_API_KEY, baseUrl: env.XINGCHAO_BASE_URL },
      nbpCloud: { apiKey: env.NBPCLOUD_API_KEY, baseUrl: env.NBPCLOUD_BASE_URL },
      nbpNet: { apiKey: env.NBPNET_API_KEY, baseUrl: env.NBPNET_BASE_URL, plan: env.NBPNET_PLAN ?? 'standard' },
      mock: { delayMs: env.MOCK_DELAY_MS },
    },
    database: env.DATABASE_URL ? { kind: 'postgres', url: env.DATABASE_URL } : { kind: 'sqlite', path: env.DATABASE_PATH },
    databasePath: env.DATABASE_PATH,
    logLevel: env.LOG_LEVEL ?? 'info',
    jobs: {
      deadlineMs: env.JOB_DEADLINE_SECONDS * 1000,
      maxPerUser: env.MAX_JOBS_PER_USER,
      maxInFlightPerProvider: env.PROVIDER_MAX_IN_FLIGHT,
      pollConcurrencyPerProvider: env.POLL_CONCURRENCY,
      retentionDays: env.JOB_RETENTION_DAYS,
      leaseMs: env.JOB_LEASE_SECONDS * 1000,
      keptImageMaxBytes: env.SHOW_IMAGE_MAX_MB * 1024 * 1024,
    },
    quota: {
      dailyCredits: env.QUOTA_DAILY_CREDITS,
      costs: env.QUOTA_COSTS,
      communityDailyCredits: env.QUOTA_COMMUNITY_DAILY_CREDITS,
      adminUserIds: env.ADMIN_USER_IDS,
    },
    discord: env.DISCORD_TOKEN
      ? {
          token: env.DISCORD_TOKEN,
          applicationId: env.DISCORD_APP_ID,
          guildId: env.DISCORD_GUILD_ID,
          apiUrl: env.DISCORD_API_URL,
          shards: { count: env.DISCORD_SHARD_COUNT, ids: env.DISCORD_SHARD_IDS },
        }
      : undefined,
    slack: env.SLACK_BOT_TOKEN
      ? {
          botToken: env.SLACK_BOT_TOKEN,
          appToken: env.SLACK_APP_TOKEN,
          signingSecret: env.SLACK_SIGNING_SECRET,
          apiUrl: env.SLACK_API_URL,
          port: env.PORT,
        }
      : undefined,
    health: env.HEALTH_PORT === 0 ? undefined : { host: env.HEALTH_HOST, port: env.HEALTH_PORT },
    blockedTerms: env.BLOCKED_TERMS,
  };
  if (config.defaultProvider !== 'mock' && !configuredProviders(config).includes(config.defaultProvider)) {
    throw new ConfigError(
      `Invalid configuration:\n  PROVIDER=${config.defaultProvider} needs ${apiKeyVariable(config.defaultProvider)} to be set`,
    );
  }
  for (const fallback of config.failover.fallbacks) {
    if (fallback === config.defaultProvider) {
      throw new ConfigError(`Invalid configuration:\n  PROVIDER_FALLBACKS lists ${fallback}, which is PROVIDER itself; list only the providers to try after it`);
    }
    if (fallback !== 'mock' && !configuredProviders(config).includes(fallback)) {
      throw new ConfigError(`Invalid configuration:\n  PROVIDER_FALLBACKS lists ${fallback}, which needs ${apiKeyVariable(fallback)} to be set`);
    }
  }
  if (env.DISCORD_SHARD_IDS !== undefined) {
    if (env.DISCORD_SHARD_COUNT === undefined) {
      throw new ConfigError('Invalid configuration:\n  DISCORD_SHARD_IDS is set, so set DISCORD_SHARD_COUNT (the total number of shards) too');
    }
    const outside = env.DISCORD_SHARD_IDS.filter((id) => id >= (env.DISCORD_SHARD_COUNT as number));
    if (outside.length > 0) {
      throw new ConfigError(
        `Invalid configuration:\n  DISCORD_SHARD_IDS: shard ${outside.join(', ')} does not exist with DISCORD_SHARD_COUNT=${env.DISCORD_SHARD_COUNT} (shards are numbered from 0)`,
      );
    }
  }
  if (config.slack && !config.slack.appToken && !config.slack.signingSecret) {
    throw new ConfigError(
      'Invalid configuration:\n  SLACK_BOT_TOKEN is set, so set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)',
    );
  }
  return config;
}

/** Reads `.env` (when present) under the real environment, which wins, and parses the result. */
export function loadConfig(options: { envFile?: string } = {}): Config {
  const envFile = options.envFile ?? '.env';
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
  return parseConfig({ ...fromFile, ...process.env });
}
