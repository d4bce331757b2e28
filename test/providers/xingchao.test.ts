// Xingchao quirks: lower-case resolution, size as the ratio, the base URL's path prefix, and a tolerant result reader.
import { describe, expect, it } from 'vitest';
import { findModel } from '../../src/core/capabilities.ts';
import { createXingchaoProvider, xingchaoCapabilities } from '../../src/providers/xingchao.ts';
import { startFakeXingchao, type XingchaoPollShape } from '../fakes/providers/index.ts';
import { useProviderFixture } from './provider-fixture.ts';
import { botErrorFrom, providerRequest, submitAndDrive, urlOf, urlReference } from './provider-test-support.ts';

describe('xingchao client', () => {
  const fixture = useProviderFixture(startFakeXingchao, (fake, dispatcher) =>
    createXingchaoProvider({ apiKey: fake.apiKey, baseUrl: fake.baseUrl, dispatcher }));
  const setUp = (latencyMs = 40) => fixture.setUp({ latencyMs });

  it('sends lower-case resolution, size and image_urls under the base URL\'s path prefix', async () => {
    const { fake, provider } = await setUp();
    await provider.submit(
      providerRequest('nano-banana-pro', { resolution: '2K', aspectRatio: '21:9', references: [urlReference('https://example.com/a.png')] }),
    );
    const create = fake.apiRequests()[0]!;
    expect(create.path).toBe('/kyyReactApiServer/v1/banana/images');
    expect(create.json).toEqual({
      model: 'nano-banana-pro',
      prompt: 'A banana astronaut on the moon',
      resolution: '2k',
      size: '21:9',
      image_urls: ['https://example.com/a.png'],
    });
  });

  it('polls GET /v1/result/{id} and offers the documented 2-5 s pacing', async () => {
    const { fake, provider } = await setUp(2000);
    const submitted = await provider.submit(providerRequest('nano-banana'));
    expect(submitted).toMatchObject({ kind: 'task', hint: { nextPollInMs: 3000 } });
    if (submitted.kind !== 'task') return;
    expect(await provider.poll(submitted.task)).toMatchObject({ status: 'pending', phase: 'queued' });
    expect(fake.apiRequests()[1]!.path).toBe(`/kyyReactApiServer/v1/result/${submitted.task.taskId}`);
  });

  const shapes: Array<Partial<XingchaoPollShape>> = [
    { imageField: 'image_url', doneStatus: 'completed' },
    { imageField: 'data', doneStatus: 'succeeded' },
    { imageField: 'results', doneStatus: 'success' },
    { imageField: 'data', doneStatus: 'completed', envelope: true },
  ];
  for (const shape of shapes) {
    it(`reads a finished task shaped ${JSON.stringify(shape)}`, async () => {
      const { fake, provider } = await setUp();
      fake.setPollShape(shape);
      const driven = await submitAndDrive(provider, providerRequest('nano-banana-pro'));
      expect(driven.final.status).toBe('succeeded');
      if (driven.final.status === 'succeeded') expect(urlOf(driven.final.images[0])).toMatch(/\/files\/nb-.+\.png$/);
    });
  }

  for (const failedStatus of ['failed', 'fail', 'error'] as const) {
    it(`treats status "${failedStatus}" as a failed task with its error`, async () => {
      const { fake, provider } = await setUp();
      fake.setPollShape({ failedStatus });
      fake.setFault('taskFails', { message: 'task timeout' });
      const driven = await submitAndDrive(provider, providerRequest('nano-banana-pro'));
      expect(driven.final.status).toBe('failed');
      if (driven.final.status === 'failed') {
        expect(driven.final.outcome.error.code).toBe('provider_failed');
        expect(driven.final.outcome.error.message).toContain('task timeout');
      }
    });
  }

  it('maps a task failed for sensitive content (in Chinese) to content_refused with the reason', async () => {
    const { fake, provider } = await setUp();
    fake.setFault('taskFails', { message: '图片生成失败：提示词包含敏感内容' });
    const driven = await submitAndDrive(provider, providerRequest('nano-banana-pro'));
    expect(driven.final.status).toBe('failed');
    if (driven.final.status === 'failed') {
      expect(driven.final.outcome.error).toMatchObject({ code: 'content_refused', retryable: false, providerOutcome: 'task_failed' });
      expect(driven.final.outcome.error.message).toBe('图片生成失败：提示词包含敏感内容。');
    }
  });

  it('maps a 400 refusal on create to content_refused', async () => {
    const { fake, provider } = await setUp();
    fake.setFault('status400', { message: 'Prompt contains sensitive content, please modify and try again' });
    const error = await botErrorFrom(provider.submit(providerRequest('nano-banana-pro')));
    expect(error).toMatchObject({ code: 'content_refused', status: 400, retryable: false });
    expect(error.message).toBe('Prompt contains sensitive content, please modify and try again.');
  });

  it('the fake refuses 2k on a non-pro model with a provider message, which the client passes on', async () => {
    const { fake, provider } = await setUp();
    // The core's validation normally prevents this; sending it anyway shows the 400 mapping with a real reason.
    const error = await botErrorFrom(provider.submit(providerRequest('nano-banana', { resolution: '2K' })));
    expect(error.code).toBe('provider_rejected');
    expect(error.message).toContain('only supported by nano-banana-pro');
    expect(fake.apiRequests()).toHaveLength(1);
  });

  it('declares 2K and 4K only on the two pro models, URLs only, at most 6', () => {
    expect(findModel(xingchaoCapabilities, 'nano-banana-pro')?.resolutions).toEqual(['1K', '2K', '4K']);
    expect(findModel(xingchaoCapabilities, 'nano-banana-pro-stable')?.resolutions).toEqual(['1K', '2K', '4K']);
    for (const id of ['nano-banana', 'nano-banana-2', 'nano-banana-2-stable']) {
      expect(findModel(xingchaoCapabilities, id)?.resolutions).toEqual(['1K']);
    }
    expect(xingchaoCapabilities.references).toMatchObject({ maxCount: 6, acceptsUrls: true, acceptsFiles: false });
    expect(xingchaoCapabilities.defaultModel).toBe('nano-banana-pro');
  });
});
