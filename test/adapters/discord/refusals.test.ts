// Requests the bot refuses (no charge) and provider failures (refunded), each ending the "thinking…" reply clearly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUser } from '../../fakes/discord/fake-discord.ts';
import { attachPng, createCalls, finalReply, pngOf, quotaOf, startDiscordTest, type DiscordTest } from './discord-test-bot.ts';

let test: DiscordTest;

beforeAll(async () => {
  // Two credits a day and 4K costs two, so one 4K image uses up a day.
  test = await startDiscordTest({ environment: { QUOTA_DAILY_CREDITS: '2', QUOTA_COSTS: '1K=1,2K=1,4K=2' } });
});

afterAll(async () => {
  await test?.close();
});

async function remaining(session: DiscordTest, user: FakeUser): Promise<number> {
  return (await session.runner.runner.balance({ platform: 'discord', userId: user.id })).remaining;
}

describe('refused requests cost nothing', () => {
  it('quota exhausted: the reply says how much is needed and when it resets', async () => {
    const { discord, xenodia } = test;
    const mallory = discord.addUser('mallory');
    const first = discord.slashCommand({ user: mallory, name: 'imagine', options: { prompt: 'a castle', resolution: '4K' } });
    await finalReply(discord, first);
    expect((await remaining(test, mallory))).toBe(0);
    const creates = createCalls(xenodia).length;

    const refused = discord.slashCommand({ user: mallory, name: 'imagine', options: { prompt: 'another castle' } });
    const reply = await finalReply(discord, refused);
    expect(reply.content).toMatch(/credit/i);
    expect(reply.content).toContain('Nothing was charged.');
    expect(reply.attachments).toHaveLength(0);
    expect((await remaining(test, mallory))).toBe(0);
    expect(createCalls(xenodia).length).toBe(creates);
  });

  it('a non-image attachment is named and refused', async () => {
    const { discord, xenodia } = test;
    const niaj = discord.addUser('niaj');
    const pdf = discord.upload({ filename: 'notes.pdf', data: new TextEncoder().encode('%PDF-1.7\n1 0 obj'), contentType: 'application/pdf' });
    const creates = createCalls(xenodia).length;
    const refused = discord.slashCommand({ user: niaj, name: 'imagine', options: { prompt: 'illustrate my notes', image: pdf } });
    const reply = await finalReply(discord, refused);
    expect(reply.content).toContain('notes.pdf');
    expect(reply.content).toContain('not an image');
    expect(reply.content).toContain('Nothing was charged.');
    expect((await remaining(test, niaj))).toBe(2);
    expect(createCalls(xenodia).length).toBe(creates);
  });

  it('too many references: the provider’s limit is named', async () => {
    const { discord, xenodia } = test;
    const olivia = discord.addUser('olivia');
    const files = await Promise.all(Array.from({ length: 9 }, async (_, index) => ({
      filename: `frame-${index + 1}.png`, data: await pngOf(index * 25, 100, 200), contentType: 'image/png',
    })));
    const target = discord.postMessage({ author: olivia, content: 'storyboard', files });
    const opened = discord.messageCommand({ user: olivia, name: 'Remix', target });
    await discord.waitFor('the modal', () => opened.modal);
    const creates = createCalls(xenodia).length;
    const submitted = discord.submitModal({ user: olivia, opened, fields: { prompt: 'one poster from all frames' } });
    const reply = await finalReply(discord, submitted);
    expect(reply.content).toContain('at most 8 reference images');
    expect(reply.content).toContain('you sent 9');
    expect(reply.content).toContain('Nothing was charged.');
    expect((await remaining(test, olivia))).toBe(2);
    expect(createCalls(xenodia).length).toBe(creates);
  });
});

describe('provider failures are refunded', () => {
  it('402 from the provider: the reply explains it and /quota shows the credit back', async () => {
    const { discord, xenodia } = test;
    const peggy = discord.addUser('peggy');
    xenodia.setFault('status402', { on: 'create', times: 1 });
    const { attachment } = await attachPng(discord, 'ref.png', [90, 90, 90]);
    const failed = discord.slashCommand({ user: peggy, name: 'imagine', options: { prompt: 'a golden coin', image: attachment } });
    const reply = await finalReply(discord, failed);
    expect(reply.content).toContain('out of credit');
    expect(reply.content).toContain('Your 1 credit was refunded.');
    expect(await quotaOf(discord, peggy)).toContain('**Credits left today:** 2 credits');
  });

  it('a safety refusal from the provider: the reply gives its reason, refunds, and offers no "Try again"', async () => {
    const { discord, xenodia } = test;
    const rupert = discord.addUser('rupert');
    xenodia.setFault('taskFails', { message: 'Your request was rejected by the safety system. Please modify your prompt.', times: 1 });
    const failed = discord.slashCommand({ user: rupert, name: 'imagine', options: { prompt: 'a forbidden picture' } });
    const reply = await finalReply(discord, failed);
    expect(reply.content).toContain('refused this request under its content rules: Your request was rejected by the safety system. Please modify your prompt.');
    expect(reply.content).not.toMatch(/try again/i);
    expect(reply.content).toContain('Your 1 credit was refunded.');
    expect(reply.components).toHaveLength(0);
    expect(await remaining(test, rupert)).toBe(2);
  });

  it('a task that never finishes times out: the reply says so and /quota shows the credit back', async () => {
    const session = await startDiscordTest({ environment: { JOB_DEADLINE_SECONDS: '1' } });
    try {
      const { discord, xenodia } = session;
      const quentin = discord.addUser('quentin');
      xenodia.setFault('taskNeverFinishes', { times: 1 });
      const failed = discord.slashCommand({ user: quentin, name: 'imagine', options: { prompt: 'a slow sunrise' } });
      const reply = await finalReply(discord, failed);
      expect(reply.content).toContain('took too long');
      expect(reply.content).toContain('Your 1 credit was refunded.');
      expect(reply.components).toHaveLength(1);
      expect(await quotaOf(discord, quentin)).toContain('**Credits left today:** 20 credits');
    } finally {
      await session.close();
    }
  });
});
