// Results larger than Discord's upload limit are re-encoded to fit, before upload and after an unexpected 413.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sniffImageType } from '../../../src/core/image-type.ts';
import { resultImageBytes } from '../../fakes/providers/index.ts';
import { finalReply, startDiscordTest, type DiscordTest } from './discord-test-bot.ts';

const limit = 1_000_000;
let test: DiscordTest;
let producedSize: number;

beforeAll(async () => {
  test = await startDiscordTest({ discord: { attachmentSizeLimit: limit }, xenodia: { resultImage: 'large' } });
  producedSize = (await resultImageBytes('large')).byteLength;
});

afterAll(async () => {
  await test?.close();
});

function uploadsOf(interactionToken: string) {
  return test.discord.calls.filter((call) => call.path.includes(interactionToken) && call.files.length > 0);
}

describe('upload limit', () => {
  it('re-encodes an output above the announced limit before uploading it', async () => {
    const { discord } = test;
    expect(producedSize).toBeGreaterThan(limit);
    const rose = discord.addUser('rose');
    const interaction = discord.slashCommand({ user: rose, name: 'imagine', options: { prompt: 'static on an old television' } });
    const final = await finalReply(discord, interaction);
    const uploads = uploadsOf(interaction.token);
    expect(uploads.map((call) => call.status)).toEqual([200]);
    const file = uploads[0]?.files[0];
    expect(file?.data.byteLength).toBeLessThanOrEqual(limit);
    expect(sniffImageType(file?.data ?? new Uint8Array())).toBeDefined();
    expect(final.attachments[0]?.size).toBeLessThanOrEqual(limit);
  });

  it('shrinks further and retries when Discord answers 413 although the announced limit was higher', async () => {
    const { discord } = test;
    discord.announcedAttachmentSizeLimit = 8 * limit;
    try {
      const sam = discord.addUser('sam');
      const interaction = discord.slashCommand({ user: sam, name: 'imagine', options: { prompt: 'snow on a dark road' } });
      const final = await finalReply(discord, interaction);
      const uploads = uploadsOf(interaction.token);
      expect(uploads[0]?.status).toBe(413);
      expect(uploads.at(-1)?.status).toBe(200);
      expect(uploads.at(-1)?.files[0]?.data.byteLength).toBeLessThanOrEqual(limit);
      expect(final.attachments).toHaveLength(1);
      expect(final.content).toContain('Job `');
    } finally {
      discord.announcedAttachmentSizeLimit = undefined;
    }
  });
});
