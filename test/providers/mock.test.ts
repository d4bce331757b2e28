// The offline mock provider: real rendered images of the right size and format, deterministic, with rising progress.
import { deflateRawSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { ImageProvider, PollOutcome, ProviderRequest, ResultImage } from '../../src/core/provider.ts';
import { aspectRatios, type AspectRatio, type OutputFormat, type Resolution } from '../../src/core/request.ts';
import { createPollScheduler } from '../../src/core/poll-scheduler.ts';
import { createMockProvider } from '../../src/providers/mock.ts';
import { escapeXml, mockImageSize } from '../../src/providers/mock-render.ts';
import { ManualClock } from '../support/manual-clock.ts';

function request(overrides: Partial<ProviderRequest> = {}): ProviderRequest {
  return { prompt: 'a banana astronaut over a neon city', references: [], resolution: '1K', outputFormat: 'png', model: 'mock-banana', ...overrides };
}

/** Submits `providerRequest`, lets the delay pass and returns the finished image bytes. */
async function generate(providerRequest: ProviderRequest): Promise<Uint8Array> {
  const clock = new ManualClock();
  const provider = createMockProvider({ delayMs: 2_000, clock });
  const outcome = await provider.submit(providerRequest);
  if (outcome.kind !== 'task') throw new Error('the mock always answers with a task');
  await clock.advanceBy(2_000);
  const polled = await provider.poll(outcome.task);
  if (polled.status !== 'succeeded') throw new Error(`expected success, got ${polled.status}`);
  const image = polled.images[0] as ResultImage;
  if (!('data' in image)) throw new Error('the mock returns bytes');
  return image.data;
}

/** The bytes of a finished poll's single image; throws on anything else. */
function imageBytes(outcome: PollOutcome): Buffer {
  if (outcome.status !== 'succeeded') throw new Error(`expected success, got ${outcome.status}`);
  const image = outcome.images[0] as ResultImage;
  if (!('data' in image)) throw new Error('the mock returns bytes');
  return Buffer.from(image.data);
}

/** A solid-colour PNG to use as a reference. */
function solidPng(background: string, width = 200, height = 120): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background } }).png().toBuffer();
}

describe('mock provider capabilities', () => {
  it('needs no key and offers every aspect ratio, 1K/2K/4K, png and jpg, 8 references', () => {
    const provider = createMockProvider({ delayMs: 5_000 });
    expect(provider.id).toBe('mock');
    const capabilities = provider.capabilities;
    const model = capabilities.models.find((candidate) => candidate.id === capabilities.defaultModel);
    expect(model?.aspectRatios).toEqual(aspectRatios);
    expect(model?.resolutions).toEqual(['1K', '2K', '4K']);
    expect(model?.outputFormats).toEqual(['png', 'jpg']);
    expect(capabilities.references).toMatchObject({ maxCount: 8, maxBytesPerFile: 30_000_000, acceptsUrls: true, acceptsFiles: true });
    expect(capabilities.completion).toBe('async');
    expect(capabilities.typicalSeconds).toEqual({ '1K': 5, '2K': 5, '4K': 5 });
  });
});

describe('mock provider images', () => {
  const cases: Array<[AspectRatio | undefined, Resolution, OutputFormat, number, number]> = [
    ['1:1', '1K', 'png', 1024, 1024],
    ['16:9', '2K', 'jpg', 2048, 1152],
    ['9:16', '1K', 'png', 576, 1024],
    ['21:9', '1K', 'jpg', 1024, 439],
    ['4:5', '2K', 'png', 1638, 2048],
    ['auto', '1K', 'png', 1024, 1024],
    [undefined, '1K', 'jpg', 1024, 1024],
    ['3:2', '4K', 'jpg', 4096, 2731],
  ];
  it.each(cases)('renders %s at %s as %s with the matching size', async (aspectRatio, resolution, outputFormat, width, height) => {
    expect(mockImageSize(aspectRatio, resolution)).toEqual({ width, height });
    const data = await generate(request({ resolution, outputFormat, ...(aspectRatio === undefined ? {} : { aspectRatio }) }));
    const metadata = await sharp(data).metadata();
    expect(metadata.format).toBe(outputFormat === 'png' ? 'png' : 'jpeg');
    expect([metadata.width, metadata.height]).toEqual([width, height]);
  });

  it('is deterministic for a prompt and differs between prompts', async () => {
    const first = await generate(request({ prompt: 'a red fox in the snow' }));
    const again = await generate(request({ prompt: 'a red fox in the snow' }));
    const other = await generate(request({ prompt: 'a blue whale at night' }));
    expect(Buffer.from(first).equals(Buffer.from(again))).toBe(true);
    expect(Buffer.from(first).equals(Buffer.from(other))).toBe(false);
    const [firstStats, otherStats] = await Promise.all([sharp(first).stats(), sharp(other).stats()]);
    expect(firstStats.dominant).not.toEqual(otherStats.dominant);
  });

  it('draws prompts with XML-special characters', async () => {
    expect(escapeXml(`<b>"Tom" & 'Jerry'</b>`)).toBe('&#60;b&#62;&#34;Tom&#34; &#38; &#39;Jerry&#39;&#60;/b&#62;');
    const data = await generate(request({ prompt: `</text><script>alert("x")</script> & friends` }));
    expect((await sharp(data).metadata()).width).toBe(1024);
  });

  it('shows byte references as thumbnails in the top-right corner', async () => {
    const red = await sharp({ create: { width: 200, height: 120, channels: 3, background: '#ff0000' } }).png().toBuffer();
    const plain = await generate(request());
    const withReferences = await generate(
      request({ references: [{ data: red, mimeType: 'image/png', source: 'attachment' }, { url: 'https://example.com/cat.png', source: 'url-argument' }] }),
    );
    const corner = { left: 1024 - 120, top: 20, width: 100, height: 100 };
    const [plainCorner, referenceCorner] = await Promise.all(
      // stats() reads its input, not the pipeline's output, so the crop is materialized first.
      [plain, withReferences].map(async (data) => sharp(await sharp(data).extract(corner).removeAlpha().toBuffer()).stats()),
    );
    expect(referenceCorner?.channels[0]?.mean).toBeGreaterThan(200);
    expect(referenceCorner?.channels[1]?.mean).toBeLessThan(60);
    expect(plainCorner?.channels.map((channel) => Math.round(channel.mean))).not.toEqual(
      referenceCorner?.channels.map((channel) => Math.round(channel.mean)),
    );
  });
});

describe('mock provider tasks', () => {
  it('reports queued, then running with rising progress, then the image after the delay', async () => {
    const clock = new ManualClock();
    const provider = createMockProvider({ delayMs: 10_000, clock });
    const outcome = await provider.submit(request());
    expect(outcome).toMatchObject({ kind: 'task', task: { providerId: 'mock', model: 'mock-banana', submittedAt: clock.now() } });
    if (outcome.kind !== 'task') return;
    const seen: PollOutcome[] = [];
    for (let step = 0; step <= 10; step += 1) {
      seen.push(await provider.poll(outcome.task));
      await clock.advanceBy(1_000);
    }
    expect(seen[0]).toMatchObject({ status: 'pending', phase: 'queued' });
    const running = seen.filter((entry) => entry.status === 'pending' && entry.phase === 'running');
    const progress = running.map((entry) => (entry.status === 'pending' ? entry.progress ?? -1 : -1));
    expect(progress.length).toBeGreaterThanOrEqual(8);
    expect(progress.every((value, index) => index === 0 || value > (progress[index - 1] as number))).toBe(true);
    expect(Math.max(...progress)).toBeLessThan(100);
    expect(seen.at(-1)).toMatchObject({ status: 'succeeded', images: [{ mimeType: 'image/png' }] });
  });

  it('renders once and keeps answering with the same image', async () => {
    const clock = new ManualClock();
    const provider = createMockProvider({ delayMs: 1_000, clock });
    const outcome = await provider.submit(request());
    if (outcome.kind !== 'task') throw new Error('expected a task');
    await clock.advanceBy(1_000);
    const [first, second] = await Promise.all([provider.poll(outcome.task), provider.poll(outcome.task)]);
    expect(first.status === 'succeeded' && second.status === 'succeeded' && first.images[0] === second.images[0]).toBe(true);
  });

  it('finishes through the shared poll scheduler soon after its delay', async () => {
    const clock = new ManualClock();
    const provider = createMockProvider({ delayMs: 3_000, clock });
    const pollTimes: number[] = [];
    const observed: ImageProvider = {
      ...provider,
      poll: (task, signal) => {
        pollTimes.push(clock.now());
        return provider.poll(task, signal);
      },
    };
    const scheduler = createPollScheduler({ clock, random: () => 0.5 });
    const outcome = await provider.submit(request({ outputFormat: 'jpg' }));
    if (outcome.kind !== 'task') throw new Error('expected a task');
    let images: ResultImage[] | undefined;
    void scheduler
      .track(observed, outcome.task, { deadlineAt: clock.now() + 60_000, expectedSeconds: 3, ...(outcome.hint ? { hint: outcome.hint } : {}) })
      .then((result) => (images = result));
    // Rendering is real work on sharp's threads, so simulated time advances in small steps with
    // real pauses instead of jumping straight to the next timer.
    for (let step = 0; step < 2_000 && images === undefined; step += 1) {
      await clock.advanceBy(50);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(images?.[0]).toMatchObject({ mimeType: 'image/jpeg' });
    const finishedPoll = pollTimes.find((time) => time - outcome.task.submittedAt >= 3_000);
    expect((finishedPoll ?? Infinity) - outcome.task.submittedAt).toBeLessThanOrEqual(4_100);
    expect(pollTimes.length).toBeLessThanOrEqual(4);
  });

  it('fails a task id it cannot decode without retry', async () => {
    const provider = createMockProvider();
    const submitted = await provider.submit(request());
    if (submitted.kind !== 'task') throw new Error('expected a task');
    const validId = submitted.task.taskId;
    const foreignJson = Buffer.from(deflateRawSync(Buffer.from(JSON.stringify({ prompt: 'no other fields' })))).toString('base64url');
    const undecodable = [
      'mock-gone',
      'garbage',
      '',
      'xenodia-7f3c2a',
      'mock-v1.',
      'mock-v1.!!not base64!!',
      `mock-v1.${Buffer.from('plain text, not deflated').toString('base64url')}`,
      `mock-v1.${foreignJson}`,
      validId.slice(0, validId.length - 12),
      `mock-v2.${validId.slice('mock-v1.'.length)}`,
    ];
    for (const taskId of undecodable) {
      await expect(provider.poll({ providerId: 'mock', taskId, model: 'mock-banana', submittedAt: Date.now() }), taskId).rejects.toMatchObject({
        name: 'BotError',
        code: 'provider_failed',
        retryable: false,
        message: expect.stringContaining('mock: unknown task'),
      });
    }
  });
});

describe('mock provider tasks across processes', () => {
  it('answers a poll from a fresh instance with the same progress and the same image bytes', async () => {
    const submitterClock = new ManualClock();
    const submitter = createMockProvider({ delayMs: 10_000, clock: submitterClock });
    const submitted = await submitter.submit(request({ aspectRatio: '16:9', outputFormat: 'jpg' }));
    if (submitted.kind !== 'task') throw new Error('expected a task');
    // The handle is all another process has: it comes back from the job's database row.
    const stored = JSON.parse(JSON.stringify(submitted.task)) as typeof submitted.task;
    const pollerClock = new ManualClock();
    const poller = createMockProvider({ delayMs: 10_000, clock: pollerClock });
    expect(pollerClock.now()).toBe(submitterClock.now());

    const pollBoth = () => Promise.all([submitter.poll(submitted.task), poller.poll(stored)]);
    for (const [advance, expected] of [
      [500, { status: 'pending', phase: 'queued' }],
      [4_500, { status: 'pending', phase: 'running', progress: 50 }],
      [4_000, { status: 'pending', phase: 'running', progress: 90 }],
    ] as const) {
      await Promise.all([submitterClock.advanceBy(advance), pollerClock.advanceBy(advance)]);
      const [fromSubmitter, fromPoller] = await pollBoth();
      expect(fromSubmitter).toMatchObject(expected);
      expect(fromPoller).toEqual(fromSubmitter);
    }
    await Promise.all([submitterClock.advanceBy(1_000), pollerClock.advanceBy(1_000)]);
    const [finishedBySubmitter, finishedByPoller] = await pollBoth();
    const submitterBytes = imageBytes(finishedBySubmitter);
    expect(submitterBytes.equals(imageBytes(finishedByPoller))).toBe(true);
    expect((await sharp(submitterBytes).metadata()).format).toBe('jpeg');
  });

  it('keeps the delay chosen at submission when the polling instance is configured differently', async () => {
    const submitter = createMockProvider({ delayMs: 10_000, clock: new ManualClock() });
    const submitted = await submitter.submit(request());
    if (submitted.kind !== 'task') throw new Error('expected a task');
    const pollerClock = new ManualClock();
    const poller = createMockProvider({ delayMs: 1_000, clock: pollerClock });
    await pollerClock.advanceBy(5_000);
    expect(await poller.poll(submitted.task)).toMatchObject({ status: 'pending', phase: 'running', progress: 50 });
    await pollerClock.advanceBy(5_000);
    expect((await poller.poll(submitted.task)).status).toBe('succeeded');
  });

  it('draws references from the task id alone, deterministically, and never carries their bytes', async () => {
    const [red, blue] = await Promise.all([solidPng('#ff0000', 1_500, 1_000), solidPng('#0000ff', 1_500, 1_000)]);
    /** Submits on one instance, finishes on a fresh one (which never saw the bytes). */
    async function renderElsewhere(providerRequest: ProviderRequest): Promise<{ bytes: Buffer; taskId: string }> {
      const submitted = await createMockProvider({ delayMs: 1_000, clock: new ManualClock() }).submit(providerRequest);
      if (submitted.kind !== 'task') throw new Error('expected a task');
      const pollerClock = new ManualClock();
      await pollerClock.advanceBy(1_000);
      const polled = await createMockProvider({ delayMs: 1_000, clock: pollerClock }).poll(submitted.task);
      return { bytes: imageBytes(polled), taskId: submitted.task.taskId };
    }
    const redReference = { data: red, mimeType: 'image/png' as const, source: 'attachment' as const };
    const blueReference = { data: blue, mimeType: 'image/png' as const, source: 'attachment' as const };
    const urlReference = { url: 'https://example.com/cat.png', source: 'url-argument' as const };

    const plain = await renderElsewhere(request());
    const withRed = await renderElsewhere(request({ references: [redReference] }));
    const withRedAgain = await renderElsewhere(request({ references: [redReference] }));
    const withBlue = await renderElsewhere(request({ references: [blueReference] }));
    const withUrl = await renderElsewhere(request({ references: [urlReference] }));

    // Same references, same image, even though neither poller held the reference bytes.
    expect(withRed.bytes.equals(withRedAgain.bytes)).toBe(true);
    expect(withRed.bytes.equals(await generate(request({ references: [redReference] })))).toBe(true);
    for (const other of [plain, withBlue, withUrl]) expect(withRed.bytes.equals(other.bytes)).toBe(false);
    expect(plain.bytes.equals(withUrl.bytes)).toBe(false);

    const corner = { left: 1024 - 120, top: 20, width: 100, height: 100 };
    const cornerStats = async (bytes: Buffer) => sharp(await sharp(bytes).extract(corner).removeAlpha().toBuffer()).stats();
    const [redCorner, blueCorner] = await Promise.all([cornerStats(withRed.bytes), cornerStats(withBlue.bytes)]);
    expect(redCorner.channels[0]?.mean).toBeGreaterThan(200);
    expect(blueCorner.channels[2]?.mean).toBeGreaterThan(200);

    // A 1,500×1,000 reference is several kilobytes of PNG; its stand-in in the id is 192 bytes.
    expect(withRed.taskId.length - plain.taskId.length).toBeLessThan(400);
  });

  it('keeps the id bounded for the longest prompt with the most references', async () => {
    const noise = await sharp(Buffer.from(Array.from({ length: 300 * 300 * 3 }, (_, index) => (index * 7919) % 251)), {
      raw: { width: 300, height: 300, channels: 3 },
    })
      .png()
      .toBuffer();
    // Pseudo-random characters, some outside ASCII and some JSON-escaped, compress poorly: the worst case.
    const characters = [...'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"\\\néü漢字🍌'];
    let state = 12_345;
    const words = Array.from({ length: 5_000 }, () => {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      return characters[(state >>> 16) % characters.length];
    }).join('');
    const submitted = await createMockProvider().submit(
      request({ prompt: words, references: Array.from({ length: 8 }, () => ({ data: noise, mimeType: 'image/png' as const, source: 'attachment' as const })) }),
    );
    if (submitted.kind !== 'task') throw new Error('expected a task');
    expect(submitted.task.taskId).toMatch(/^mock-v1\.[A-Za-z0-9_-]+$/);
    // About 6,200 characters today; the bound leaves room without letting reference bytes in.
    expect(submitted.task.taskId.length).toBeLessThan(10_000);
  });

  it('gives identical submissions different ids', async () => {
    const provider = createMockProvider({ clock: new ManualClock() });
    const [first, second] = await Promise.all([provider.submit(request()), provider.submit(request())]);
    if (first.kind !== 'task' || second.kind !== 'task') throw new Error('expected tasks');
    expect(first.task.taskId).not.toBe(second.task.taskId);
  });
});
