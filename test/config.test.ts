// Configuration: defaults, parsing, and errors that name the variable to set.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configuredProviders, loadConfig, parseConfig } from '../src/config.ts';

function configError(environment: Record<string, string>): string {
  try {
    parseConfig(environment);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('works offline with an empty environment', () => {
    const config = parseConfig({});
    expect(config.defaultProvider).toBe('mock');
    expect(config.databasePath).toBe('data/bot.db');
    expect(config.quota.costs).toEqual({ '1K': 1, '2K': 1, '4K': 2 });
    expect(config.jobs).toMatchObject({ deadlineMs: 600_000, maxPerUser: 2, maxInFlightPerProvider: 16, retentionDays: 30 });
    expect(config.discord).toBeUndefined();
    expect(config.slack).toBeUndefined();
    expect(configuredProviders(config)).toEqual(['mock']);
  });

  it('names the variable when a value is bad', () => {
    expect(configError({ PROVIDER: 'dalle' })).toContain('PROVIDER: must be one of xenodia, xingchao, nbp-cloud, nbp-net, mock');
    expect(configError({ MAX_JOBS_PER_USER: 'two' })).toContain('MAX_JOBS_PER_USER: must be a whole number of at least 1; got "two"');
    expect(configError({ XENODIA_BASE_URL: 'not a url' })).toContain('XENODIA_BASE_URL');
    expect(configError({ QUOTA_COSTS: '1K=1,8K=3' })).toContain('QUOTA_COSTS');
    expect(configError({ ADMIN_USER_IDS: '123' })).toContain('ADMIN_USER_IDS: "123" must be platform-qualified');
    expect(configError({ NBPNET_PLAN: 'gold' })).toContain('NBPNET_PLAN: must be free, standard or pro');
  });

  it('requires the key of the chosen provider and a Slack transport', () => {
    expect(configError({ PROVIDER: 'xenodia' })).toContain('PROVIDER=xenodia needs XENODIA_API_KEY');
    expect(configError({ SLACK_BOT_TOKEN: 'xoxb-1' })).toContain('SLACK_APP_TOKEN');
  });

  it('parses quotas, admins and platform settings', () => {
    const config = parseConfig({
      PROVIDER: 'nbp-net',
      NBPNET_API_KEY: 'sk-test',
      NBPNET_PLAN: 'free',
      QUOTA_COSTS: '1K=2, 4K=5',
      ADMIN_USER_IDS: 'discord:123, slack:U456',
      DISCORD_TOKEN: 'token',
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 'secret',
      XENODIA_BASE_URL: 'http://127.0.0.1:9999/',
    });
    expect(config.quota.costs).toEqual({ '1K': 2, '2K': 1, '4K': 5 });
    expect(config.quota.adminUserIds).toEqual(['discord:123', 'slack:U456']);
    expect(config.providers.nbpNet.plan).toBe('free');
    expect(config.providers.xenodia.baseUrl).toBe('http://127.0.0.1:9999');
    expect(config.discord?.token).toBe('token');
    expect(config.slack?.port).toBe(3000);
    expect(configuredProviders(config)).toEqual(['mock', 'nbp-net']);
  });
  it('chooses the store and the lease length, SQLite by default', () => {
    const defaults = parseConfig({});
    expect(defaults.database).toEqual({ kind: 'sqlite', path: 'data/bot.db' });
    expect(defaults.jobs.leaseMs).toBe(30_000);
    const shared = parseConfig({ DATABASE_URL: 'postgres://bot:secret@db:5432/nano', JOB_LEASE_SECONDS: '10' });
    expect(shared.database).toEqual({ kind: 'postgres', url: 'postgres://bot:secret@db:5432/nano' });
    expect(shared.jobs.leaseMs).toBe(10_000);
    expect(configError({ DATABASE_URL: 'mysql://db/nano' })).toContain('DATABASE_URL: must be a PostgreSQL URL');
    expect(configError({ JOB_LEASE_SECONDS: '1' })).toContain('JOB_LEASE_SECONDS: must be a whole number of at least 2; got "1"');
  });

  it('reads Discord shards and names what is missing or out of range', () => {
    const discord = { DISCORD_TOKEN: 'token' };
    expect(parseConfig(discord).discord?.shards).toEqual({ count: undefined, ids: undefined });
    expect(parseConfig({ ...discord, DISCORD_SHARD_COUNT: '4', DISCORD_SHARD_IDS: '3, 1,1' }).discord?.shards).toEqual({ count: 4, ids: [1, 3] });
    expect(configError({ ...discord, DISCORD_SHARD_IDS: '0' })).toContain('DISCORD_SHARD_IDS is set, so set DISCORD_SHARD_COUNT');
    expect(configError({ ...discord, DISCORD_SHARD_COUNT: '2', DISCORD_SHARD_IDS: '0,2' })).toContain(
      'DISCORD_SHARD_IDS: shard 2 does not exist with DISCORD_SHARD_COUNT=2',
    );
    expect(configError({ ...discord, DISCORD_SHARD_COUNT: '2', DISCORD_SHARD_IDS: 'one' })).toContain('DISCORD_SHARD_IDS: expected shard numbers');
  });

  it('keeps posted images for /show up to SHOW_IMAGE_MAX_MB (8 MB by default, 0 for none, at most 25)', () => {
    expect(parseConfig({}).jobs.keptImageMaxBytes).toBe(8 * 1024 * 1024);
    expect(parseConfig({ SHOW_IMAGE_MAX_MB: '0' }).jobs.keptImageMaxBytes).toBe(0);
    expect(configError({ SHOW_IMAGE_MAX_MB: '26' })).toContain('SHOW_IMAGE_MAX_MB: must be at most 25 (MB); 0 keeps no images');
    expect(configError({ SHOW_IMAGE_MAX_MB: 'lots' })).toContain('SHOW_IMAGE_MAX_MB: must be a whole number of at least 0; got "lots"');
  });

  it('serves the health endpoints on 127.0.0.1:9090 by default, elsewhere when asked, and not at all with HEALTH_PORT=0', () => {
    expect(parseConfig({}).health).toEqual({ host: '127.0.0.1', port: 9090 });
    expect(parseConfig({ HEALTH_PORT: '9464', HEALTH_HOST: '0.0.0.0' }).health).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(parseConfig({ HEALTH_PORT: '0' }).health).toBeUndefined();
    expect(configError({ HEALTH_PORT: 'ninety' })).toContain('HEALTH_PORT: must be a whole number of at least 0; got "ninety"');
    expect(configError({ HEALTH_PORT: '70000' })).toContain('HEALTH_PORT: must be a port number');
  });
});

describe('loadConfig', () => {
  it('reads .env under the real environment', () => {
    const directory = mkdtempSync(join(tmpdir(), 'nano-config-'));
    const envFile = join(directory, '.env');
    writeFileSync(envFile, 'MOCK_DELAY_MS=1234\nLOG_LEVEL=debug\n');
    const config = loadConfig({ envFile });
    expect(config.providers.mock.delayMs).toBe(1234);
  });
});

describe('failover and spend settings', () => {
  const keys = { XENODIA_API_KEY: 'x', NBPCLOUD_API_KEY: 'c' };

  it('reads the fallbacks in order, a 300 s cool-down by default, and the price table in each provider’s unit', () => {
    const config = parseConfig({
      ...keys,
      PROVIDER: 'xenodia',
      PROVIDER_FALLBACKS: ' nbp-cloud , mock ',
      PROVIDER_PRICES: 'xenodia:4K=0.24, xenodia:*=0.13, nbp-cloud:*=20cr',
    });
    expect(config.failover).toEqual({ fallbacks: ['nbp-cloud', 'mock'], cooldownMs: 300_000 });
    expect(config.prices).toEqual({
      xenodia: { '4K': { amountMicros: 240_000, unit: '' }, '*': { amountMicros: 130_000, unit: '' } },
      'nbp-cloud': { '*': { amountMicros: 20_000_000, unit: 'cr' } },
    });
    expect(parseConfig({ PROVIDER_COOLDOWN_SECONDS: '60' }).failover).toEqual({ fallbacks: [], cooldownMs: 60_000 });
    expect(parseConfig({}).prices).toEqual({});
  });

  it('refuses bad values, naming the variable', () => {
    expect(configError({ PROVIDER_FALLBACKS: 'nbp-cloud,dalle' })).toContain('PROVIDER_FALLBACKS: "dalle" is not a provider');
    expect(configError({ ...keys, PROVIDER_FALLBACKS: 'nbp-cloud,nbp-cloud' })).toContain('PROVIDER_FALLBACKS: nbp-cloud is listed twice');
    expect(configError({ PROVIDER_FALLBACKS: 'xingchao' })).toContain('PROVIDER_FALLBACKS lists xingchao, which needs XINGCHAO_API_KEY to be set');
    expect(configError({ ...keys, PROVIDER: 'xenodia', PROVIDER_FALLBACKS: 'xenodia' })).toContain('PROVIDER_FALLBACKS lists xenodia, which is PROVIDER itself');
    expect(configError({ PROVIDER_COOLDOWN_SECONDS: '-5' })).toContain('PROVIDER_COOLDOWN_SECONDS: must be a whole number of at least 0');
    expect(configError({ PROVIDER_PRICES: 'xenodia=0.13' })).toContain('PROVIDER_PRICES: "xenodia=0.13" is not an entry like xenodia:4K=0.24');
    expect(configError({ PROVIDER_PRICES: 'dalle:*=1' })).toContain('PROVIDER_PRICES: "dalle:*=1": there is no provider "dalle"');
    expect(configError({ PROVIDER_PRICES: 'xenodia:8K=1' })).toContain('PROVIDER_PRICES: "xenodia:8K=1" is not an entry');
    expect(configError({ PROVIDER_PRICES: 'xenodia:*=1,xenodia:*=2' })).toContain('xenodia:* is priced twice');
    expect(configError({ PROVIDER_PRICES: 'xenodia:1K=1usd,xenodia:4K=2' })).toContain('xenodia is priced in "usd" elsewhere');
    expect(configError({ PROVIDER_PRICES: 'xenodia:*=0.1234567' })).toContain('PROVIDER_PRICES');
    expect(configError({ PROVIDER_PRICES: 'xenodia:*=-1' })).toContain('PROVIDER_PRICES');
  });
});

describe('BLOCKED_TERMS', () => {
  it('compiles the operator’s entries once, commas inside a pattern kept', () => {
    const rules = parseConfig({ BLOCKED_TERMS: 'bad, /a{1,3}z/' }).blockedTerms;
    expect(rules.map((rule) => [rule.entry, rule.source, rule.kind])).toEqual([['bad', 'operator', 'words'], ['/a{1,3}z/', 'operator', 'pattern']]);
    expect(parseConfig({}).blockedTerms).toEqual([]);
  });

  it('a bad regular expression fails the configuration, naming BLOCKED_TERMS and the entry', () => {
    const message = configError({ BLOCKED_TERMS: 'bad, /(a+)+/' });
    expect(message).toContain('BLOCKED_TERMS: ');
    expect(message).toContain('"/(a+)+/"');
    expect(message).not.toContain('BLOCKED_TERMS: BLOCKED_TERMS');
    expect(configError({ BLOCKED_TERMS: '/unclosed(/' })).toContain('BLOCKED_TERMS');
  });
});
