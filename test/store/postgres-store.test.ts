// Runs the store contract against PostgreSQL: one database for this file, emptied before each test, several pools on it.
import { afterAll, beforeAll, inject } from 'vitest';
import { createQuotaPolicy } from '../../src/core/quota-policy.ts';
import { openPostgresStore, type PostgresStore } from '../../src/store/index.ts';
import { createTestDatabase, dropTestDatabase } from '../support/postgres-server.ts';
import { describeStoreContract, type StoreFixture } from './store-contract.ts';
import { defaultQuota, type QuotaOverrides } from './store-fixtures.ts';

const serverUrl = inject('postgresUrl');
let databaseUrl = '';

beforeAll(async () => {
  databaseUrl = await createTestDatabase(serverUrl);
});

afterAll(async () => {
  if (databaseUrl !== '') await dropTestDatabase(serverUrl, databaseUrl);
});

// Emptying the tables is much quicker than a database per test; identities restart so row ids read alike.
const emptyTables = `TRUNCATE jobs, job_references, quota_accounts, quota_ledger, intakes, event_keys, provider_spend,
  community_settings, community_settings_changes, moderation_events, job_cancels, job_images RESTART IDENTITY`;

/** A store on the emptied test database; every store it opens is closed by `close`. */
async function openPostgresFixture(quota: QuotaOverrides = {}): Promise<StoreFixture> {
  const policy = createQuotaPolicy({ ...defaultQuota, ...quota });
  const stores: PostgresStore[] = [];
  const openOne = async () => {
    const store = await openPostgresStore(databaseUrl, policy, { poolSize: 4 });
    stores.push(store);
    return store;
  };
  const store = await openOne();
  await store.pool.query(emptyTables);
  return {
    store,
    policy,
    openAnother: openOne,
    async countRows(table) {
      const result = await store.pool.query<{ count: number }>(`SELECT count(*) AS count FROM ${table}`);
      return result.rows[0]?.count ?? 0;
    },
    async close() {
      await Promise.all(stores.map((opened) => opened.close()));
    },
  };
}

describeStoreContract('PostgreSQL store', openPostgresFixture);
