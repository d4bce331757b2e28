// Xenodia quirks: task mode by default, 202 when sync was asked, 200 when async was asked, hints, multipart fields.
import { request as httpRequest } from 'undici';
import { describe, expect, it } from 'vitest';
import { createXenodiaProvider, xenodiaCapabilities } from '../../src/providers/xenodia.ts';
import { startFakeXenodia, type FakeXenodiaOptions } from '../fakes/providers/index.ts';
import { useProviderFixture } from './provider-fixture.ts';
import { botErrorFrom, fileReference, providerRequest, referencePng, submitAndDrive, urlReference } from './provider-test-support.ts';

describe('xenodia client', () => {
  const fixture = useProviderFixture(startFakeXenodia, (fake, dispatcher) =>
    createXenodiaProvider({ apiKey: fake.apiKey, baseUrl: fake.baseUrl, dispatcher }));
  const { dispatcher } = fixture;
  const setUp = (options: FakeXenodiaOptions = {}) => fixture.setUp({ latencyMs: 50, ...options });

  it('asks for task mode with exactly the documented JSON fields', async () => {
    const { fake, provider } = await setUp();
    await provider.submit(providerRequest('nano-banana-pro', { aspectRatio: '16:9', resolution: '4K', outputFormat: 'jpg' }));
    const create = fake.apiRequests()[0]!;
    expect(create.method).toBe('POST');
    expect(create.path).toBe('/v1/images/generations');
    expect(create.json).toEqual({
      model: 'nano-banana-pro',
      prompt: 'A banana astronaut on the moon',
      n: 1,
      async: true,
      response_format: 'url',
      aspect_ratio: '16:9',
      resolution: '4K',
      output_format: 'jpg',
    });
  });

  it('leaves aspect_ratio out when the request has none, so the provider default applies', async () => {
    const { fake, provider } = await setUp();
    await provider.submit(providerRequest('nano-banana-pro'));
    expect(fake.apiRequests()[0]!.json).not.toHaveProperty('aspect_ratio');
  });

  it('sends multipart scalars as text and references as image[] and image_input[] parts', async () => {
    const { fake, provider } = await setUp();
    const png = await referencePng();
    await provider.submit(
      providerRequest('nano-banana-pro', { references: [urlReference('https://example.com/a.png'), fileReference(png, 'image/png')] }),
    );
    const create = fake.apiRequests()[0]!;
    expect(create.bodyKind).toBe('multipart');
    expect(create.fields).toEqual({
      model: ['nano-banana-pro'],
      prompt: ['A banana astronaut on the moon'],
      n: ['1'],
      async: ['true'],
      response_format: ['url'],
      resolution: ['1K'],
      output_format: ['png'],
      'image_input[]': ['https://example.com/a.png'],
    });
    expect(create.files.map((file) => [file.field, file.filename])).toEqual([['image[]', 'reference-2.png']]);
  });

  it('passes the provider\'s pacing hints on from the 202 answer and every poll', async () => {
    const { provider } = await setUp({ latencyMs: 3000, recommendedPollIntervalMs: 1500 });
    const submitted = await provider.submit(providerRequest('nano-banana-pro'));
    expect(submitted).toMatchObject({ kind: 'task', hint: { nextPollInMs: 1500, etaSeconds: 3 } });
    if (submitted.kind !== 'task') return;
    const outcome = await provider.poll(submitted.task);
    expect(outcome).toMatchObject({ status: 'pending', phase: 'queued', progress: 0, hint: { nextPollInMs: 1500 } });
    if (outcome.status === 'pending') expect(outcome.hint?.etaSeconds).toBeGreaterThanOrEqual(2);
  });

  it('reports generating as running, then success with the result URL', async () => {
    const { provider } = await setUp({ latencyMs: 600 });
    const driven = await submitAndDrive(provider, providerRequest('nano-banana-pro'), { intervalMs: 20 });
    expect(driven.pending.some((outcome) => outcome.phase === 'queued')).toBe(true);
    expect(driven.pending.some((outcome) => outcome.phase === 'running')).toBe(true);
    expect(driven.final.status).toBe('succeeded');
  });

  it('accepts a 200 image answer even though it asked for a task', async () => {
    const { fake, provider } = await setUp({ mode: 'alwaysSync' });
    const outcome = await provider.submit(providerRequest('nano-banana-pro'));
    expect(outcome.kind).toBe('completed');
    if (outcome.kind === 'completed') expect(outcome.images[0]).toEqual({ url: expect.stringContaining(`${fake.baseUrl}/files/`) });
  });

  it('the fake answers 202 to a sync request in alwaysTask mode and 200 in documented mode, and the client handles both shapes', async () => {
    const { fake, provider } = await setUp({ latencyMs: 0 });
    const body = JSON.stringify({ model: 'nano-banana-pro', prompt: 'x', async: false });
    const ask = () =>
      httpRequest(`${fake.baseUrl}/v1/images/generations`, {
        method: 'POST',
        dispatcher,
        headers: { authorization: `Bearer ${fake.apiKey}`, 'content-type': 'application/json' },
        body,
      });
    const documented = await ask();
    expect(documented.statusCode).toBe(200);
    expect(await documented.body.json()).toMatchObject({ data: [{ url: expect.any(String) }] });
    fake.setMode('alwaysTask');
    const task = await ask();
    expect(task.statusCode).toBe(202);
    expect(await task.body.json()).toMatchObject({ object: 'task', state: 'waiting', poll_url: expect.stringMatching(/^\/v1\/tasks\//) });
    expect((await provider.submit(providerRequest('nano-banana-pro'))).kind).toBe('task');
  });

  it('carries the task\'s error.message when the task fails for a technical reason', async () => {
    const { fake, provider } = await setUp();
    fake.setFault('taskFails', { message: 'upstream image generation failed' });
    const driven = await submitAndDrive(provider, providerRequest('nano-banana-pro'));
    expect(driven.final.status).toBe('failed');
    if (driven.final.status === 'failed') {
      expect(driven.final.outcome.error).toMatchObject({ code: 'provider_failed', retryable: false });
      expect(driven.final.outcome.error.message).toContain('upstream image generation failed');
    }
  });

  it('maps a task that fails on the safety filter to content_refused with the reason in plain words', async () => {
    const { fake, provider } = await setUp();
    fake.setFault('taskFails', { message: 'Upstream returned no image: finishReason=IMAGE_SAFETY' });
    const driven = await submitAndDrive(provider, providerRequest('nano-banana-pro'));
    expect(driven.final.status).toBe('failed');
    if (driven.final.status === 'failed') {
      expect(driven.final.outcome.error).toMatchObject({ code: 'content_refused', retryable: false, providerOutcome: 'task_failed' });
      expect(driven.final.outcome.error.message).toBe("The provider's safety filter stopped the image.");
    }
  });

  it('maps a 400 {error, message} refusal on create to content_refused, reading the error code too', async () => {
    const { fake, provider } = await setUp();
    fake.setFault('status400', { message: 'The prompt violates our content policy' });
    const refused = await botErrorFrom(provider.submit(providerRequest('nano-banana-pro')));
    expect(refused).toMatchObject({ code: 'content_refused', status: 400, retryable: false });
    expect(refused.message).toBe('The prompt violates our content policy.');
    expect(refused.message).not.toContain(fake.apiKey);

    fake.setFault('status400', { message: 'only n=1 is supported' });
    const technical = await botErrorFrom(provider.submit(providerRequest('nano-banana-pro')));
    expect(technical).toMatchObject({ code: 'provider_rejected', status: 400 });
    expect(technical.message).toContain('only n=1 is supported');
  });

  it('the fake rejects undocumented values with the documented error shape', async () => {
    const { fake } = await setUp();
    const answer = await httpRequest(`${fake.baseUrl}/v1/images/generations`, {
      method: 'POST',
      dispatcher,
      headers: { authorization: `Bearer ${fake.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'nano-banana-pro', prompt: 'x', n: 2 }),
    });
    expect(answer.statusCode).toBe(400);
    expect(await answer.body.json()).toEqual({ error: 'bad_request', message: 'only n=1 is supported' });
  });

  it('declares the published limits', () => {
    expect(xenodiaCapabilities.references).toMatchObject({ maxCount: 8, maxBytesPerFile: 31_457_280, acceptsUrls: true, acceptsFiles: true });
    expect(xenodiaCapabilities.models[0]!.aspectRatios).toContain('auto');
    expect(xenodiaCapabilities.completion).toBe('either');
  });
});
