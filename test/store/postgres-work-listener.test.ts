// PostgreSQL only: the LISTEN connection behind watchForWork comes back after the server drops it, and says work may be waiting.
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createQuotaPolicy } from '../../src/core/quota-policy.ts';
import { openPostgresStore, type PostgresStore } from '../../src/store/index.ts';
import { createTestDatabase, dropTestDatabase } from '../support/postgres-server.ts';
import { at, defaultQuota, newJob } from './store-fixtures.ts';

const serverUrl = inject('postgresUrl');
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openStores(count: number): Promise<PostgresStore[]> {
  const url = await createTestDatabase(serverUrl);
  cleanups.push(() => dropTestDatabase(serverUrl, url));
  const stores: PostgresStore[] = [];
  for (let index = 0; index < count; index++) stores.push(await openPostgresStore(url, createQuotaPolicy(defaultQuota), { poolSize: 2 }));
  cleanups.push(async () => {
    await Promise.all(stores.map((store) => store.close()));
  });
  return stores;
}

async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Backends currently listening for work on the store's database. */
async function listeners(store: PostgresStore): Promise<number[]> {
  const result = await store.pool.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()",
  );
  return result.rows.map((row) => row.pid);
}

describe('PostgreSQL work listener', () => {
  it('reconnects after the server ends its connection, tells the subscriber, and hears other stores again', async () => {
    const [watching, writing] = (await openStores(2)) as [PostgresStore, PostgresStore];
    let calls = 0;
    const unsubscribe = watching.watchForWork(() => calls++);
    cleanups.push(async () => unsubscribe());
    // The first call comes when LISTEN is in place: work may have arrived before it was.
    await eventually(() => calls > 0, 3_000, 'the first connection');
    const [pid] = await listeners(watching);
    expect(pid).toBeDefined();

    calls = 0;
    await writing.pool.query('SELECT pg_terminate_backend($1)', [pid]);
    await eventually(() => calls > 0, 5_000, 'the call after reconnecting');
    await eventually(async () => (await listeners(watching)).some((listener) => listener !== pid), 3_000, 'a new LISTEN connection');

    calls = 0;
    await writing.createJob(newJob({ id: 'job-1', now: at('2026-11-21T12:00:00Z') }));
    await eventually(() => calls > 0, 3_000, 'the work signal');
  });

  it('keeps one LISTEN connection for all subscribers and closes it with the last one', async () => {
    const [store] = (await openStores(1)) as [PostgresStore];
    let firstCalls = 0;
    let secondCalls = 0;
    const first = store.watchForWork(() => firstCalls++);
    const second = store.watchForWork(() => secondCalls++);
    await eventually(() => firstCalls > 0 && secondCalls > 0, 3_000, 'both subscribers');
    expect(await listeners(store)).toHaveLength(1);
    first();
    expect(await listeners(store)).toHaveLength(1);
    second();
    await eventually(async () => (await listeners(store)).length === 0, 3_000, 'the connection to close');
  });
});
