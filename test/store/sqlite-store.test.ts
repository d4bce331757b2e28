// Runs the store contract against SQLite: a fresh database file per test, further stores on their own connections to it.
import { join } from 'node:path';
import { createQuotaPolicy } from '../../src/core/quota-policy.ts';
import { createSqliteStore, openDatabase, type SqliteDatabase } from '../../src/store/index.ts';
import { describeStoreContract, type StoreFixture } from './store-contract.ts';
import { defaultQuota, temporaryFolder, type QuotaOverrides } from './store-fixtures.ts';

/** A store on a new file in a temp folder; every store it opens is closed, and the folder deleted, by `close`. */
async function openSqliteFixture(quota: QuotaOverrides = {}): Promise<StoreFixture> {
  const folder = temporaryFolder();
  const path = join(folder.path, 'bot.db');
  const policy = createQuotaPolicy({ ...defaultQuota, ...quota });
  const connections: SqliteDatabase[] = [];
  const openOne = () => {
    const database = openDatabase(path);
    connections.push(database);
    return createSqliteStore({ database, policy });
  };
  const store = openOne();
  return {
    store,
    policy,
    openAnother: async () => openOne(),
    countRows: async (table) => store.database.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get() ?? 0,
    async close() {
      for (const database of connections) if (database.open) database.close();
      folder.remove();
    },
  };
}

describeStoreContract('SQLite store', openSqliteFixture);
