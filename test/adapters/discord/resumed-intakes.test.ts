// Intakes left by a process that died, taken over at the next start: finished from their payload, or ended with why not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Intake } from '../../../src/core/job-store.ts';
import { createQuotaPolicy } from '../../../src/core/quota-policy.ts';
import type { Origin } from '../../../src/core/request.ts';
import { openSqliteStore } from '../../../src/store/index.ts';
import type { FakeMessage, FakeUser } from '../../fakes/discord/fake-discord.ts';
import { createCalls, finalReply, isFinal, jobIdOf, startDiscordTest, type DiscordTest } from './discord-test-bot.ts';

let session: DiscordTest;

beforeAll(async () => {
  session = await startDiscordTest();
});

afterAll(async () => {
  await session?.close();
});

/**
 * Writes `intakes` as a process would just before acknowledging them, with leases that ran out long
 * ago (the process died). Written while no runner is up, so only the next start takes them over.
 */
async function leftByDeadProcess(databasePath: string, intakes: Array<Omit<Intake, 'createdAt'>>): Promise<void> {
  const store = openSqliteStore(databasePath, createQuotaPolicy(session.runner.config.quota));
  try {
    const now = Date.now();
    for (const intake of intakes) {
      const lease = await store.recordIntake({ ...intake, createdAt: now - 60_000 }, { owner: 'a-process-that-died', now: now - 120_000, leaseMs: 1_000 });
      if (lease === undefined) throw new Error(`intake ${intake.dedupeKey} was not recorded`);
    }
  } finally {
    await store.close();
  }
}

/** A pending message the dead process had posted in the channel. */
function pendingMessage(): FakeMessage {
  const { discord } = session;
  return discord.messages.create({ channelId: discord.world.channelId, author: discord.world.botUser, content: '⏳ Getting things ready…' });
}

function channelOrigin(messageId: string | undefined): Origin {
  const { world } = session.discord;
  return { platform: 'discord', communityId: world.guildId, channelId: world.channelId, ...(messageId === undefined ? {} : { messageId }) };
}

function requesterOf(user: FakeUser) {
  return { platform: 'discord' as const, userId: user.id, displayName: user.username, communityId: session.discord.world.guildId };
}

async function remaining(user: FakeUser): Promise<number> {
  return (await session.runner.runner.balance({ platform: 'discord', userId: user.id })).remaining;
}

function finalMessage(messageId: string): Promise<FakeMessage> {
  return session.discord.waitFor('the final message', () => {
    const message = session.discord.messages.get(messageId);
    return isFinal(message) ? message : undefined;
  }, 15_000);
}

describe('intakes taken over after a crash', () => {
  it('finishes a 4K press, explains a purged job and an unreadable record, and answers a request whose deferral never arrived', async () => {
    const { discord, xenodia } = session;
    const ana = discord.addUser('ana');
    const ben = discord.addUser('ben');
    const cyd = discord.addUser('cyd');
    const dan = discord.addUser('dan');
    const original = await finalReply(discord, discord.slashCommand({ user: ana, name: 'imagine', options: { prompt: 'a tin robot' } }));
    const anaCredits = await remaining(ana);

    const [upscalePending, purgedPending, unreadablePending] = [pendingMessage(), pendingMessage(), pendingMessage()];
    const createsBefore = createCalls(xenodia).length;

    await session.restart((databasePath) => leftByDeadProcess(databasePath, [
      // 4K pressed under a result; the process died before the job was created.
      {
        dedupeKey: 'discord:interaction:9000000000000001', origin: channelOrigin(upscalePending.id), prompt: 'a tin robot',
        payload: { version: 1, kind: 'job-button', requester: requesterOf(ana), action: 'upscale', jobId: jobIdOf(original) },
      },
      // Reroll of a job purged by retention meanwhile.
      {
        dedupeKey: 'discord:interaction:9000000000000002', origin: channelOrigin(purgedPending.id), prompt: 'an old job',
        payload: { version: 1, kind: 'job-button', requester: requesterOf(ben), action: 'reroll', jobId: 'purged-job' },
      },
      // Recorded by a release whose payload this one cannot read.
      {
        dedupeKey: 'discord:interaction:9000000000000003', origin: channelOrigin(unreadablePending.id), prompt: 'a future request',
        payload: { version: 99, kind: 'hologram' },
      },
      // /imagine whose deferral never reached Discord: its token answers nothing, so a new message is posted in the channel.
      {
        dedupeKey: 'discord:interaction:9000000000000004', prompt: 'a comet over the sea',
        origin: {
          ...channelOrigin(undefined),
          interaction: { id: '9000000000000004', applicationId: discord.world.applicationId, token: 'never-deferred', expiresAt: Date.now() + 600_000 },
        },
        payload: { version: 1, kind: 'imagine', requester: requesterOf(dan), attachments: [], aspectRatio: '16:9' },
      },
    ]));

    const upscaled = await finalMessage(upscalePending.id);
    expect(upscaled.content).not.toContain('❌');
    expect(upscaled.attachments).toHaveLength(1);
    expect(upscaled.content).toContain('4K');
    expect(await remaining(ana)).toBe(anaCredits - 2);

    const purged = await finalMessage(purgedPending.id);
    expect(purged.content).toBe('❌ That image is too old to reuse: its job is no longer stored. Nothing was charged.');
    expect(await remaining(ben)).toBe(20);

    const unreadable = await finalMessage(unreadablePending.id);
    expect(unreadable.content).toBe('❌ The bot restarted before your request for “a future request” started. Nothing was charged — please try again.');
    expect(await remaining(cyd)).toBe(20);

    const posted = await discord.waitFor('the comet in a new message', () =>
      discord.messages.inChannel(discord.world.channelId).find((message) => isFinal(message) && message.content.includes('a comet over the sea')), 15_000);
    expect(posted.content).not.toContain('❌');
    expect(posted.attachments).toHaveLength(1);
    expect(posted.content).toContain('16:9');
    expect(await remaining(dan)).toBe(19);

    expect(createCalls(xenodia).length).toBe(createsBefore + 2);
    await discord.waitFor('every intake ended', async () => (await session.runner.store.listIntakes()).length === 0);
  });
});
