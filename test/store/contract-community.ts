// Contract: community settings change one at a time with their log, concurrent changes from several stores all survive; the moderation log.
import { describe, expect, it } from 'vitest';
import { emptyCommunitySettings, type SettingsChange } from '../../src/core/community-settings.ts';
import type { NewModerationEvent } from '../../src/core/community-store.ts';
import type { BotStore } from '../../src/store/index.ts';
import { useFixtures, type OpenStoreFixture } from './store-contract.ts';
import { at } from './store-fixtures.ts';

const start = at('2026-11-21T12:00:00Z');
const guild = 'discord:guild-1';

/** A moderation entry with what a test does not care about filled in. */
function moderation(overrides: Partial<NewModerationEvent> & Pick<NewModerationEvent, 'createdAt'>): NewModerationEvent {
  return {
    kind: 'blocked',
    platform: 'discord',
    communityKey: guild,
    channelId: 'channel-1',
    requesterKey: 'discord:alice',
    prompt: 'a forbidden banana',
    detail: 'banana',
    source: 'server',
    jobId: null,
    ...overrides,
  };
}

/** The community settings and moderation tests, run against the store `openFixture` opens. */
export function describeCommunityContract(openFixture: OpenStoreFixture): void {
  describe('community settings and moderation', () => {
    const open = useFixtures(openFixture);

    it('starts empty, applies each change, returns and keeps the result, and logs every change newest first', async () => {
      const fixture = await open();
      const { store } = fixture;
      expect(await store.communitySettings(guild)).toEqual(emptyCommunitySettings());
      expect(await fixture.countRows('community_settings')).toBe(0);

      const changes: SettingsChange[] = [
        { setting: 'provider', value: 'mock' },
        { setting: 'resolution', value: '2K' },
        { setting: 'dailyCredits', value: 12 },
        { setting: 'roleCredits', roleId: 'role-vip', value: 40 },
        { setting: 'allowChannel', channelId: 'channel-1' },
        { setting: 'blockTerm', entry: 'banana' },
      ];
      let returned;
      for (const [index, change] of changes.entries()) returned = await store.changeCommunitySettings(guild, change, 'discord:admin', start + index);
      const expected = {
        provider: 'mock', resolution: '2K', dailyCredits: 12, roleCredits: { 'role-vip': 40 },
        allowedChannels: ['channel-1'], blockedTerms: ['banana'],
      };
      expect(returned).toEqual(expected);
      expect(await store.communitySettings(guild)).toEqual(expected);
      // Another process reads what this one wrote; other communities are untouched.
      expect(await (await fixture.openAnother()).communitySettings(guild)).toEqual(expected);
      expect(await store.communitySettings('discord:guild-2')).toEqual(emptyCommunitySettings());

      // A reset clears everything but the blocked terms; clearing a value removes it.
      expect(await store.changeCommunitySettings(guild, { setting: 'reset' }, 'discord:owner', start + 10)).toEqual({
        ...emptyCommunitySettings(), blockedTerms: ['banana'],
      });
      await store.changeCommunitySettings(guild, { setting: 'model', value: 'mock-model' }, 'discord:owner', start + 11);
      expect(await store.changeCommunitySettings(guild, { setting: 'model', value: null }, 'discord:owner', start + 12)).toEqual({
        ...emptyCommunitySettings(), blockedTerms: ['banana'],
      });

      const log = await store.settingsChanges(guild, 3);
      expect(log.map(({ change, actorKey, createdAt, communityKey }) => ({ change, actorKey, createdAt, communityKey }))).toEqual([
        { change: { setting: 'model', value: null }, actorKey: 'discord:owner', createdAt: start + 12, communityKey: guild },
        { change: { setting: 'model', value: 'mock-model' }, actorKey: 'discord:owner', createdAt: start + 11, communityKey: guild },
        { change: { setting: 'reset' }, actorKey: 'discord:owner', createdAt: start + 10, communityKey: guild },
      ]);
      const everything = await store.settingsChanges(guild, 100);
      expect(everything).toHaveLength(changes.length + 3);
      expect(everything.at(-1)).toMatchObject({ change: changes[0], actorKey: 'discord:admin', createdAt: start });
      expect(everything.map((record) => record.id)).toEqual([...everything.map((record) => record.id)].sort((a, b) => b - a));
      expect(await store.settingsChanges('discord:guild-2', 10)).toEqual([]);
    });

    it('keeps every change when four stores change the same community at once', { timeout: 30_000 }, async () => {
      const fixture = await open();
      const stores: BotStore[] = [fixture.store, ...(await Promise.all([1, 2, 3].map(() => fixture.openAnother())))];
      const perStore = 15;
      await Promise.all(stores.map(async (store, storeIndex) => {
        await Promise.all(Array.from({ length: perStore }, (_, index) =>
          store.changeCommunitySettings(guild, { setting: 'blockTerm', entry: `term-${storeIndex}-${index}` }, `discord:admin-${storeIndex}`, start + index)));
      }));
      const settings = await fixture.store.communitySettings(guild);
      expect(settings.blockedTerms).toHaveLength(stores.length * perStore);
      expect(new Set(settings.blockedTerms).size).toBe(stores.length * perStore);
      expect(await fixture.store.settingsChanges(guild, 1_000)).toHaveLength(stores.length * perStore);
      expect(await fixture.countRows('community_settings')).toBe(1);
    });

    it('logs moderation entries and reads them newest first, by community, since a time, up to a limit', async () => {
      const fixture = await open();
      const { store } = fixture;
      const entries: NewModerationEvent[] = [
        moderation({ createdAt: start }),
        moderation({ createdAt: start + 1_000, communityKey: 'discord:guild-2', requesterKey: 'discord:bob' }),
        moderation({
          createdAt: start + 2_000, kind: 'refused', detail: 'The provider refused the prompt', source: 'mock', jobId: 'job-7',
          prompt: 'something else',
        }),
        moderation({ createdAt: start + 3_000, communityKey: null, channelId: null, platform: 'cli', requesterKey: 'cli:root', source: 'operator' }),
      ];
      for (const entry of entries) await store.recordModeration(entry);

      const all = await store.moderationEvents({ limit: 10 });
      expect(all.map(({ id: _id, ...entry }) => entry)).toEqual([...entries].reverse());
      expect(new Set(all.map((entry) => entry.id)).size).toBe(entries.length);
      expect((await store.moderationEvents({ limit: 2 })).map((entry) => entry.createdAt)).toEqual([start + 3_000, start + 2_000]);
      expect((await store.moderationEvents({ communityKey: guild, limit: 10 })).map((entry) => entry.createdAt)).toEqual([start + 2_000, start]);
      expect((await store.moderationEvents({ communityKey: guild, since: start + 1, limit: 10 })).map((entry) => entry.kind)).toEqual(['refused']);
      expect((await store.moderationEvents({ since: start + 1_000, limit: 10 })).map((entry) => entry.createdAt))
        .toEqual([start + 3_000, start + 2_000, start + 1_000]);
      expect(await store.moderationEvents({ communityKey: 'slack:T9', limit: 10 })).toEqual([]);
      // Another process sees them too.
      expect(await (await fixture.openAnother()).moderationEvents({ limit: 10 })).toEqual(all);
    });
  });
}
