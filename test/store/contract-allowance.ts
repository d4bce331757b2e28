// Contract: a community's own daily credits open a user's day with them or raise it by the difference, never lower it, and keep the ledger balanced.
import { describe, expect, it } from 'vitest';
import type { BotStore } from '../../src/store/index.ts';
import { dailyAllowanceActor } from '../../src/store/account-day.ts';
import { botErrorOf, expectBalanced, useFixtures, type OpenStoreFixture } from './store-contract.ts';
import { at, newJob } from './store-fixtures.ts';

const noon = at('2026-11-21T12:00:00Z');

/** The ledger rows of `requesterKey` as (kind, amount, reserved change, actor), newest first. */
async function ledgerOf(store: BotStore, requesterKey = 'discord:alice') {
  return (await store.entries(requesterKey)).map((entry) => [entry.kind, entry.amount, entry.reservedChange, entry.actorKey]);
}

/** The allowance tests, run against the store `openFixture` opens. */
export function describeAllowanceContract(openFixture: OpenStoreFixture): void {
  describe('daily allowance set by a community', () => {
    const open = useFixtures(openFixture);

    it('opens an unopened day with the given credits, reported as the day’s allowance', async () => {
      const { store } = await open({ dailyCredits: 5 });
      await store.applyAllowance('discord:alice', 12, noon);
      expect(await store.balance('discord:alice', noon)).toMatchObject({ remaining: 12, reserved: 0, dailyCredits: 12 });
      expect(await ledgerOf(store)).toEqual([['reset', 12, 0, dailyAllowanceActor]]);
      // The next day is not opened yet: it shows the operator's allowance it would open with.
      expect(await store.balance('discord:alice', noon + 86_400_000)).toMatchObject({ remaining: 5, dailyCredits: 5 });
      // An unopened day opens with what is given, even below the operator's allowance.
      await store.applyAllowance('discord:bob', 2, noon);
      expect(await store.balance('discord:bob', noon)).toMatchObject({ remaining: 2, dailyCredits: 2 });
      await expectBalanced(store);
    });

    it('raises an open day by the difference, keeps what is reserved, never lowers it, and repeats harmlessly', async () => {
      const { store } = await open({ dailyCredits: 5 });
      await store.createJob(newJob({ id: 'job-1', resolution: '4K', now: noon }));
      expect(await store.balance('discord:alice', noon)).toMatchObject({ remaining: 3, reserved: 2, dailyCredits: 5 });

      await store.applyAllowance('discord:alice', 8, noon + 1);
      expect(await store.balance('discord:alice', noon)).toMatchObject({ remaining: 6, reserved: 2, dailyCredits: 8 });
      const ledger = await ledgerOf(store);
      expect(ledger).toEqual([
        ['reset', 3, 0, dailyAllowanceActor],
        ['reserve', -2, 2, 'discord:alice'],
        ['reset', 5, 0, dailyAllowanceActor],
      ]);

      await store.applyAllowance('discord:alice', 8, noon + 2);
      await store.applyAllowance('discord:alice', 6, noon + 3);
      await store.applyAllowance('discord:alice', 0, noon + 4);
      expect(await ledgerOf(store)).toEqual(ledger);
      expect(await store.balance('discord:alice', noon)).toMatchObject({ remaining: 6, reserved: 2, dailyCredits: 8 });
      await expectBalanced(store);
    });

    it('raises by the allowance’s difference after a grant, and an admin reset restores the raised allowance', async () => {
      const { store } = await open({ dailyCredits: 5 });
      await store.grant('discord:alice', 3, 'discord:admin', noon);
      await store.applyAllowance('discord:alice', 6, noon);
      expect(await store.balance('discord:alice', noon)).toMatchObject({ remaining: 9, dailyCredits: 6 });
      await store.createJob(newJob({ id: 'job-1', resolution: '4K', now: noon }));
      expect(await store.reset('discord:alice', 'discord:admin', noon)).toMatchObject({ remaining: 6, reserved: 2, dailyCredits: 6 });
      expect((await store.entries('discord:alice', 1))[0]).toMatchObject({ kind: 'reset', amount: -1, actorKey: 'discord:admin' });
      // Without a community allowance, a reset still goes back to the operator's.
      await store.grant('discord:bob', 2, 'discord:admin', noon);
      expect(await store.reset('discord:bob', 'discord:admin', noon)).toMatchObject({ remaining: 5, dailyCredits: 5 });
      await expectBalanced(store);
    });

    it('refuses credits that are not a whole number of at least 0, changing nothing', async () => {
      const fixture = await open();
      for (const credits of [-1, 1.5, Number.NaN]) {
        expect((await botErrorOf(fixture.store.applyAllowance('discord:alice', credits, noon))).code).toBe('invalid_request');
      }
      expect(await fixture.countRows('quota_accounts')).toBe(0);
    });

    it('ends at the highest allowance when four stores apply different ones while jobs reserve', { timeout: 30_000 }, async () => {
      const fixture = await open({ dailyCredits: 5 });
      const stores: BotStore[] = [fixture.store, ...(await Promise.all([1, 2, 3].map(() => fixture.openAnother())))];
      const allowances = [10, 14, 11, 20, 7, 13, 20, 16];
      await Promise.all([
        ...allowances.map((credits, index) => (stores[index % stores.length] as BotStore).applyAllowance('discord:alice', credits, noon + index)),
        ...[0, 1, 2, 3].map((index) => (stores[index] as BotStore).createJob(newJob({ id: `job-${index}`, now: noon + index }))),
      ]);
      expect(await fixture.store.balance('discord:alice', noon)).toMatchObject({ remaining: 16, reserved: 4, dailyCredits: 20 });
      const resets = (await fixture.store.entries('discord:alice')).filter((entry) => entry.kind === 'reset');
      expect(resets.every((entry) => entry.actorKey === dailyAllowanceActor && entry.amount > 0)).toBe(true);
      expect(resets.reduce((sum, entry) => sum + entry.amount, 0)).toBe(20);
      await expectBalanced(fixture.store);
    });
  });
}
