// nanobananapro.cloud quirks: mode follows the references, aspectRatio defaults to auto, tasks may finish in the create call.
import { describe, expect, it } from 'vitest';
import { findModel } from '../../src/core/capabilities.ts';
import { createNbpCloudProvider, nbpCloudCapabilities } from '../../src/providers/nbp-cloud.ts';
import { startFakeNbpCloud } from '../fakes/providers/index.ts';
import { useProviderFixture } from './provider-fixture.ts';
import { botErrorFrom, fileReference, providerRequest, referencePng, submitAndDrive, urlReference } from './provider-test-support.ts';

describe('nbp-cloud client', () => {
  const fixture = useProviderFixture(startFakeNbpCloud, (fake, dispatcher) =>
    createNbpCloudProvider({ apiKey: fake.apiKey, baseUrl: fake.baseUrl, dispatcher }));
  const setUp = (latencyMs = 40) => fixture.setUp({ latencyMs });

  it('sends text-to-image with aspectRatio auto and imageSize when there are no references', async () => {
    const { fake, provider } = await setUp();
    await provider.submit(providerRequest('nano-banana-pro', { resolution: '4K' }));
    expect(fake.apiRequests()[0]!.json).toEqual({
      prompt: 'A banana astronaut on the moon',
      model: 'nano-banana-pro',
      mode: 'text-to-image',
      aspectRatio: 'auto',
      imageSize: '4K',
    });
  });

  it('sends image-to-image with imageUrl as an array when all references are links', async () => {
    const { fake, provider } = await setUp();
    await provider.submit(providerRequest('nano-banana', { aspectRatio: '9:16', references: [urlReference('https://example.com/a.png')] }));
    expect(fake.apiRequests()[0]!.json).toMatchObject({ mode: 'image-to-image', aspectRatio: '9:16', imageUrl: ['https://example.com/a.png'] });
  });

  it('uploads files as imageFile parts, links as imageUrl parts, and never uses imageData', async () => {
    const { fake, provider } = await setUp();
    const png = await referencePng();
    await provider.submit(
      providerRequest('nano-banana-pro', { references: [fileReference(png, 'image/png', 'me.png'), urlReference('https://example.com/b.png')] }),
    );
    const create = fake.apiRequests()[0]!;
    expect(create.bodyKind).toBe('multipart');
    expect(create.fields).toEqual({
      prompt: ['A banana astronaut on the moon'],
      model: ['nano-banana-pro'],
      mode: ['image-to-image'],
      aspectRatio: ['auto'],
      imageSize: ['1K'],
      imageUrl: ['https://example.com/b.png'],
    });
    expect(create.files.map((file) => [file.field, file.filename, file.sniffedType])).toEqual([['imageFile', 'me.png', 'image/png']]);
  });

  it('polls with POST .../result and a JSON taskId', async () => {
    const { fake, provider } = await setUp(2000);
    const submitted = await provider.submit(providerRequest('nano-banana-pro'));
    if (submitted.kind !== 'task') throw new Error('expected a task');
    expect(submitted.task.taskId).toMatch(/^task-/);
    expect(await provider.poll(submitted.task)).toMatchObject({ status: 'pending', phase: 'running' });
    const poll = fake.apiRequests()[1]!;
    expect(poll).toMatchObject({ method: 'POST', path: '/api/v1/image/nano-banana/result', json: { taskId: submitted.task.taskId } });
    expect(poll.headers['content-type']).toBe('application/json');
  });

  it('returns the images at once when the create answer is already succeeded, with the credits_cost it reports', async () => {
    const { fake, provider } = await setUp(0);
    const outcome = await provider.submit(providerRequest('nano-banana-fast'));
    expect(outcome).toEqual({
      kind: 'completed',
      images: [{ url: expect.stringContaining(`${fake.baseUrl}/files/task-`) }],
      cost: { amount: 5, unit: 'cr' },
    });
    expect(fake.apiRequests()).toHaveLength(1);
  });

  it('throws the failure reason when the create answer is already failed', async () => {
    const { fake, provider } = await setUp(0);
    fake.setFault('taskFails', { message: 'Downstream query failure or service error' });
    const error = await botErrorFrom(provider.submit(providerRequest('nano-banana-pro')));
    expect(error).toMatchObject({ code: 'provider_failed', retryable: false });
    expect(error.message).toContain('Downstream query failure or service error');
  });

  it('maps a failure_reason of PROHIBITED_CONTENT to content_refused when the create answer is already failed', async () => {
    const { fake, provider } = await setUp(0);
    fake.setFault('taskFails', { message: 'PROHIBITED_CONTENT' });
    const immediate = await botErrorFrom(provider.submit(providerRequest('nano-banana-pro')));
    expect(immediate).toMatchObject({ code: 'content_refused', retryable: false, providerOutcome: 'task_failed' });
    expect(immediate.message).toBe('The provider refused the request as prohibited content.');
  });

  it('maps a polled task blocked by Google (blockReason) to content_refused', async () => {
    const polled = await setUp(80);
    polled.fake.setFault('taskFails', { message: 'Prompt was blocked (blockReason: OTHER)' });
    const driven = await submitAndDrive(polled.provider, providerRequest('nano-banana-pro'));
    expect(driven.final.status === 'failed' && driven.final.outcome.error).toMatchObject({
      code: 'content_refused',
      message: 'The provider blocked the prompt without giving a reason.',
    });
  });

  it('declares 14 references of at most 10 MB, and 2K/4K on Pro only', () => {
    expect(nbpCloudCapabilities.references).toMatchObject({ maxCount: 14, maxBytesPerFile: 10_000_000, acceptsFiles: true, acceptsUrls: true });
    expect(findModel(nbpCloudCapabilities, 'nano-banana-pro')?.resolutions).toEqual(['1K', '2K', '4K']);
    expect(findModel(nbpCloudCapabilities, 'nano-banana-fast')?.resolutions).toEqual(['1K']);
    expect(nbpCloudCapabilities.defaultModel).toBe('nano-banana-pro');
  });
});
