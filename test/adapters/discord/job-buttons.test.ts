// Reroll, Remix (modal) and 4K buttons under a result, also on a job from before a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonIds, type FakeInteraction, type FakeMessage, type FakeUser } from '../../fakes/discord/fake-discord.ts';
import { attachmentBytes, createCalls, finalReply, jobIdOf, sameBytes, startDiscordTest, type DiscordTest } from './discord-test-bot.ts';

let test: DiscordTest;

beforeAll(async () => {
  test = await startDiscordTest();
});

afterAll(async () => {
  await test?.close();
});

async function imagine(user: FakeUser, prompt: string): Promise<FakeMessage> {
  return finalReply(test.discord, test.discord.slashCommand({ user, name: 'imagine', options: { prompt } }));
}

/** Presses a result button and returns the new (deferred) reply once final. */
async function press(user: FakeUser, message: FakeMessage, action: 'reroll' | 'upscale'): Promise<{ pressed: FakeInteraction; reply: FakeMessage }> {
  const pressed = test.discord.clickButton({ user, message, customId: `ni1:${action}:${jobIdOf(message)}` });
  const reply = await finalReply(test.discord, pressed);
  expect(pressed.callbacks[0]?.type).toBe(5);
  return { pressed, reply };
}

/** The last create call's scalar field, whether it was sent as JSON or multipart. */
function lastCreateField(name: string): unknown {
  const call = createCalls(test.xenodia).at(-1);
  return (call?.json as Record<string, unknown> | undefined)?.[name] ?? call?.fields[name]?.[0];
}

describe('result buttons', () => {
  it('Reroll runs the same request again as a new reply, leaving the original result as it was', async () => {
    const frank = test.discord.addUser('frank');
    const original = await imagine(frank, 'a paper boat on a puddle');
    const originalContent = original.content;
    const { reply } = await press(frank, original, 'reroll');
    expect(lastCreateField('prompt')).toBe('a paper boat on a puddle');
    expect(jobIdOf(reply)).not.toBe(jobIdOf(original));
    expect(reply.attachments).toHaveLength(1);
    expect(test.discord.messages.get(original.id)?.content).toBe(originalContent);
  });

  it('4K makes the same request at 4K, and the 4K result offers no further 4K button', async () => {
    const grace = test.discord.addUser('grace');
    const original = await imagine(grace, 'a snowy mountain village');
    const { reply } = await press(grace, original, 'upscale');
    expect(lastCreateField('resolution')).toBe('4K');
    expect(lastCreateField('prompt')).toBe('a snowy mountain village');
    expect(reply.content).toContain('4K');
    expect(buttonIds(reply).some((id) => id.startsWith('ni1:upscale:'))).toBe(false);
  });

  it('Remix opens a modal, and its prompt runs with the result image as the reference', async () => {
    const heidi = test.discord.addUser('heidi');
    const original = await imagine(heidi, 'a red bicycle');
    const jobId = jobIdOf(original);
    const opened = test.discord.clickButton({ user: heidi, message: original, customId: `ni1:remix:${jobId}` });
    await test.discord.waitFor('the modal', () => opened.modal);
    expect(opened.callbacks[0]?.type).toBe(9);
    expect(opened.modal?.['custom_id']).toBe(`ni1:remix-modal:${jobId}`);

    const submitted = test.discord.submitModal({ user: heidi, opened, fields: { prompt: 'the same bicycle, painted blue' } });
    const reply = await finalReply(test.discord, submitted);
    expect(reply.content).toContain('the same bicycle, painted blue');
    const sent = createCalls(test.xenodia).at(-1)?.files ?? [];
    expect(sent).toHaveLength(1);
    expect(sameBytes(sent[0]?.bytes ?? new Uint8Array(), attachmentBytes(test.discord, original))).toBe(true);
  });

  it('a button on a job from before a restart still works with a new runner and a new client', async () => {
    const ivan = test.discord.addUser('ivan');
    const original = await imagine(ivan, 'a lantern in the fog');
    await test.restart();
    const before = createCalls(test.xenodia).length;
    const { reply } = await press(ivan, original, 'reroll');
    expect(createCalls(test.xenodia).length).toBe(before + 1);
    expect(lastCreateField('prompt')).toBe('a lantern in the fog');
    expect(reply.attachments).toHaveLength(1);
    expect(jobIdOf(reply)).not.toBe(jobIdOf(original));
  });
});
