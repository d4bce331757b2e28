// Three bot processes on one PostgreSQL database behind the fake Slack: one is killed with jobs in every state; nothing is lost or doubled.
import { afterAll, expect, inject, it } from 'vitest';
import { createTestDatabase, dropTestDatabase } from '../support/postgres-server.ts';
import { runKillScenario } from './kill-scenario.ts';

const serverUrl = inject('postgresUrl');
let databaseUrl: string | undefined;

afterAll(async () => {
  if (databaseUrl) await dropTestDatabase(serverUrl, databaseUrl);
});

it('three processes, 30 /imagine from 10 users: kill -9 the one holding the most, with jobs queued, submitted, running and finished; each image is posted once, every status ends, the ledger balances, the per-user cap holds', async () => {
  const report = await runKillScenario({
    database: async () => {
      databaseUrl = await createTestDatabase(serverUrl);
      return { kind: 'postgres', url: databaseUrl };
    },
    processCount: 3,
    users: 10,
    requestsPerUser: 3,
  });
  console.info(`postgres kill scenario: ${JSON.stringify(report)}`);
  expect(report.heldAtKill.submitted).toBeGreaterThan(0);
}, 120_000);
