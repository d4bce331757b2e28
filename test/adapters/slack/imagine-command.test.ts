// `/imagine` end to end over Socket Mode: ack, parent message, progress, the uploaded image, buttons; refusals cost nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAction } from '../../fakes/slack/fake-slack.ts';
import { alice, bob, botMessagesIn, channelId, fieldOf, pngOf, promptOf, startSlackTest, uploadsIn, type SlackTest } from './slack-test-app.ts';

describe('Slack /imagine', () => {
  let test: SlackTest;
  beforeAll(async () => {
    test = await startSlackTest({ environment: { QUOTA_DAILY_CREDITS: '3' } });
  });
  afterAll(async () => {
    await test?.close();
  });

  it('acks within 3 s, posts the parent, shows progress, uploads the provider image into its thread and ends with buttons', async () => {
    const { slack, xenodia } = test;
    const produced = await pngOf(30, 120, 200);
    xenodia.setResultImage(produced);

    const { ack } = await slack.slashCommand({ userId: alice, channelId, text: 'a lighthouse at dusk --ar 16:9 --res 2K' });
    expect(ack.elapsedMs).toBeLessThan(3000);
    expect(ack.payload).toBeUndefined();

    const parent = await slack.waitFor(() => botMessagesIn(slack)[0], 'the parent message');
    expect(parent.channel).toBe(channelId);
    expect(parent.versions[0]?.text).toBe(`<@${alice}> asked: a lighthouse at dusk · 16:9 · 2K · queued`);

    await test.waitForResult(parent);
    const texts = parent.versions.map((version) => version.text);
    const progressIndex = texts.findIndex((text) => text.includes('generating…'));
    expect(progressIndex).toBeGreaterThan(0);
    expect(progressIndex).toBeLessThan(texts.length - 1);
    expect(texts.at(-1)).toMatch(/^<@U0ALICE> asked: a lighthouse at dusk · 16:9 · 2K · done in \d+ s\n1 credit used · 2 of 3 left today$/);

    const uploads = uploadsIn(slack, parent.ts);
    expect(uploads).toHaveLength(1);
    expect(Buffer.from(uploads[0]?.bytes ?? []).equals(Buffer.from(produced))).toBe(true);
    const job = (await test.jobs()).at(-1);
    expect(uploads[0]?.name).toBe(`nano-imagine-${job?.id}.png`);
    expect(job?.state).toBe('delivered');
    // The intake recorded after the parent was posted went away once the job was stored.
    expect(await test.runner.store.listIntakes()).toEqual([]);

    expect(findAction(parent.blocks, 'imagine_reroll')?.value).toBe(job?.id);
    expect(findAction(parent.blocks, 'imagine_remix')?.value).toBe(job?.id);
    expect(findAction(parent.blocks, 'imagine_upscale')?.value).toBe(job?.id);

    const create = test.providerCreates().at(-1);
    expect(promptOf(create)).toBe('a lighthouse at dusk');
    expect(fieldOf(create, 'aspect_ratio')).toBe('16:9');
    expect(fieldOf(create, 'resolution')).toBe('2K');
  });

  it('answers bad flags with a specific ephemeral message, posts nothing and charges nothing', async () => {
    const { slack } = test;
    const before = slack.workspace.callsOf('chat.postMessage').length;
    const jobsBefore = (await test.jobs()).length;
    const cases: Array<[string, RegExp]> = [
      ['a fox --ar 7:3', /`--ar 7:3` is not an aspect ratio; use one of: 1:1, 2:3/],
      ['a fox --res 8K', /`--res 8K` is not a resolution; use 1K, 2K or 4K/],
      ['a fox --ar', /`--ar` needs a value, like `--ar 16:9`/],
      ['a fox --seed 4', /Unknown option `--seed`/],
      ['a fox --provider nope', /There is no provider `nope` on this bot; choose one of: xenodia/],
      ['--ar 16:9', /Add a prompt/],
    ];
    for (const [text, expected] of cases) {
      const { ack } = await slack.slashCommand({ userId: bob, channelId, text });
      expect(ack.elapsedMs).toBeLessThan(3000);
      expect(ack.payload?.response_type).toBe('ephemeral');
      expect(String(ack.payload?.text)).toMatch(expected);
    }
    expect(slack.workspace.callsOf('chat.postMessage')).toHaveLength(before);
    expect((await test.jobs())).toHaveLength(jobsBefore);
    expect((await test.creditsLeft(bob))).toBe(3);
  });

  it('refuses a request the user cannot afford, naming cost and balance, without posting or charging', async () => {
    const { slack } = test;
    const jobsBefore = (await test.jobs()).length;
    // Alice has 2 of 3 credits left after the first test; 4K costs 2, so one 4K image fits and the next does not.
    await slack.slashCommand({ userId: alice, channelId, text: 'a castle --res 4K' });
    await slack.waitFor(async () => (await test.jobs()).length === jobsBefore + 1, 'the affordable job');
    await test.runner.runner.whenIdle();
    expect((await test.creditsLeft(alice))).toBe(0);
    const posted = slack.workspace.callsOf('chat.postMessage').length;

    const { ack } = await slack.slashCommand({ userId: alice, channelId, text: 'another castle' });
    expect(ack.payload?.response_type).toBe('ephemeral');
    expect(String(ack.payload?.text)).toMatch(/^This image costs 1 credit and you have 0 left today\. Credits reset <!date\^\d+\^/);
    expect(slack.workspace.callsOf('chat.postMessage')).toHaveLength(posted);
    expect((await test.jobs())).toHaveLength(jobsBefore + 1);
    expect((await test.creditsLeft(alice))).toBe(0);
  });

  it('asks to be invited when it cannot post in the channel, and charges nothing', async () => {
    const { slack } = test;
    const jobs = (await test.jobs()).length;
    slack.failNext('chat.postMessage', 'not_in_channel');
    const { ack } = await slack.slashCommand({ userId: bob, channelId: 'C0PRIVATE', text: 'a quiet room' });
    expect(ack.payload).toEqual({ response_type: 'ephemeral', text: expect.stringMatching(/^I can't post in this channel yet\. Invite me first/) });
    expect((await test.jobs())).toHaveLength(jobs);
    expect((await test.creditsLeft(bob))).toBe(3);
    expect(await test.runner.store.listIntakes()).toEqual([]);
  });

  it('answers help and quota ephemerally', async () => {
    const help = await test.slack.slashCommand({ userId: bob, channelId, text: 'help' });
    expect(help.ack.payload?.response_type).toBe('ephemeral');
    expect(String(help.ack.payload?.text)).toContain('`--ar` (or `--aspect`)');
    expect(String(help.ack.payload?.text)).toContain('`xenodia` (default): models `nano-banana-pro`');
    const quota = await test.slack.slashCommand({ userId: bob, channelId, text: 'quota' });
    expect(String(quota.ack.payload?.text)).toMatch(/^You have \*3\* of 3 credits left today\. Credits reset <!date\^/);
  });

  it('posts a prompt with <!channel> and a user mention escaped, so nobody is pinged', async () => {
    const { slack } = test;
    const count = botMessagesIn(slack).length;
    // Slack encodes what the user typed: a literal "<!channel>" arrives as &lt;!channel&gt;, a real @here as <!here>.
    await slack.slashCommand({ userId: bob, channelId, text: '&lt;!channel&gt; &lt;@U0BOSS&gt; party &amp; cake <!here>' });
    const parent = await slack.waitFor(() => botMessagesIn(slack)[count], 'the parent message');
    const first = parent.versions[0]?.text ?? '';
    expect(first).toBe(`<@${bob}> asked: &lt;!channel&gt; &lt;@U0BOSS&gt; party &amp; cake @here · 1K · queued`);
    await test.waitForResult(parent);
    for (const version of parent.versions) {
      expect(version.text).not.toMatch(/<!channel>|<!here>|<@U0BOSS>/);
      expect(JSON.stringify(version.blocks)).not.toMatch(/<!channel>|<!here>|<@U0BOSS>/);
    }
    expect(promptOf(test.providerCreates().at(-1))).toBe('<!channel> <@U0BOSS> party & cake @here');
  });
});

describe('Slack delivery of an oversized image', () => {
  let test: SlackTest;
  beforeAll(async () => {
    test = await startSlackTest({ uploadLimitBytes: 600_000 });
  });
  afterAll(async () => {
    await test?.close();
  });

  it('re-encodes a result over the upload limit to fit instead of dropping it', async () => {
    const { slack, xenodia } = test;
    xenodia.setResultImage('large');
    await slack.slashCommand({ userId: alice, channelId, text: 'static noise' });
    const parent = await slack.waitFor(() => botMessagesIn(slack)[0], 'the parent message');
    await test.waitForResult(parent);
    const [upload] = uploadsIn(slack, parent.ts);
    expect(upload?.name).toMatch(/^nano-imagine-[\w-]+\.jpg$/);
    expect(upload?.bytes.byteLength).toBeLessThanOrEqual(600_000);
    expect(upload?.bytes.subarray(0, 3)).toEqual(new Uint8Array([0xff, 0xd8, 0xff]));
  });
});
