// Two bot processes on one SQLite file behind the fake Slack: one is killed with jobs in every state; nothing is lost or doubled.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runKillScenario } from './kill-scenario.ts';

it('two processes on one SQLite file, 18 /imagine from 6 users: kill -9 the one holding the most, with jobs queued, submitted, running and finished; each image is posted once, every status ends, the ledger balances, the per-user cap holds', async () => {
  const report = await runKillScenario({
    database: async (directory) => ({ kind: 'sqlite', path: join(directory, 'bot.db') }),
    processCount: 2,
    users: 6,
    requestsPerUser: 3,
  });
  console.info(`sqlite kill scenario: ${JSON.stringify(report)}`);
  expect(report.heldAtKill.submitted).toBeGreaterThan(0);
}, 120_000);
