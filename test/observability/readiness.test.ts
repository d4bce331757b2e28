// Readiness probes: all asked at once, each bounded in time, failures named without their error text.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { createQuotaPolicy } from '../../src/core/quota-policy.ts';
import { createReadiness, deferredProbe, storeProbe } from '../../src/observability/readiness.ts';
import { openSqliteStore } from '../../src/store/index.ts';

describe('createReadiness', () => {
  it('is ready when every probe passes, and names each failing one in the order they were added', async () => {
    const readiness = createReadiness();
    readiness.add({ name: 'store', check: () => undefined });
    expect(await readiness.evaluate()).toEqual({ ready: true, failing: [] });
    readiness.add({ name: 'discord', check: () => 'gateway not connected' });
    readiness.add({ name: 'slack', check: async () => 'socket not connected' });
    expect(await readiness.evaluate()).toEqual({ ready: false, failing: ['discord: gateway not connected', 'slack: socket not connected'] });
  });

  it('answers within its time limit when a probe hangs, and never repeats a thrown error text', async () => {
    const readiness = createReadiness({ timeoutMs: 200 });
    readiness.add({ name: 'store', check: () => new Promise<undefined>(() => undefined) });
    readiness.add({
      name: 'postgres',
      check: () => {
        throw new Error('connect ECONNREFUSED postgres://bot:hunter2@db:5432/nano');
      },
    });
    const startedAt = Date.now();
    const report = await readiness.evaluate();
    expect(Date.now() - startedAt).toBeLessThan(1500);
    expect(report).toEqual({ ready: false, failing: ['store: no answer within 200 ms', 'postgres: check failed'] });
    expect(JSON.stringify(report)).not.toContain('hunter2');
  });

  it('a deferred probe reports its reason until the part it stands for is attached', async () => {
    const readiness = createReadiness();
    const discord = deferredProbe('discord', 'gateway not connected');
    readiness.add(discord);
    expect((await readiness.evaluate()).failing).toEqual(['discord: gateway not connected']);
    let connected = false;
    discord.attach(() => (connected ? undefined : 'shard 1 not connected'));
    expect((await readiness.evaluate()).failing).toEqual(['discord: shard 1 not connected']);
    connected = true;
    expect(await readiness.evaluate()).toEqual({ ready: true, failing: [] });
  });
});

describe('storeProbe', () => {
  it('passes while a real SQLite store answers and fails once it is closed', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'nano-readiness-'));
    try {
      const store = openSqliteStore(join(directory, 'bot.db'), createQuotaPolicy(parseConfig({}).quota));
      const readiness = createReadiness();
      readiness.add(storeProbe(store));
      expect(await readiness.evaluate()).toEqual({ ready: true, failing: [] });
      await store.close();
      expect(await readiness.evaluate()).toEqual({ ready: false, failing: ['store: check failed'] });
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
