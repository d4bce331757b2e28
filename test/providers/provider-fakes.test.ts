// The provider fakes themselves: result files, the 404 switch, the large image, strict fields, and a thousand tasks in flight.
import { Agent, request as httpRequest } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { sniffImageType } from '../../src/core/image-type.ts';
import { createXenodiaProvider } from '../../src/providers/xenodia.ts';
import { startFakeNbpCloud, startFakeXenodia, type FakeProvider } from '../fakes/providers/index.ts';
import { download, providerRequest, submitAndDrive, urlOf } from './provider-test-support.ts';

describe('provider fakes', () => {
  let fake: FakeProvider | undefined;
  const dispatcher = new Agent({ connections: 256 });

  afterAll(() => dispatcher.close());

  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('serves a ~2 MB PNG when configured with the large image, and 404s result URLs on request', async () => {
    fake = await startFakeXenodia({ latencyMs: 0, resultImage: 'large' });
    const provider = createXenodiaProvider({ apiKey: fake.apiKey, baseUrl: fake.baseUrl, dispatcher });
    const driven = await submitAndDrive(provider, providerRequest('nano-banana-pro'));
    if (driven.final.status !== 'succeeded') throw new Error('expected success');
    const url = urlOf(driven.final.images[0]);
    const image = await download(url, dispatcher);
    expect(image.contentType).toBe('image/png');
    expect(sniffImageType(image.bytes)).toBe('image/png');
    expect(image.bytes.byteLength).toBeGreaterThan(1_900_000);
    expect(image.bytes.byteLength).toBeLessThan(2_300_000);

    fake.setFault('resultNotFound', { times: 1 });
    expect((await download(url, dispatcher)).status).toBe(404);
    expect((await download(url, dispatcher)).status).toBe(200);
  });

  it('refuses a missing key with 401 and an undocumented field with 400', async () => {
    fake = await startFakeNbpCloud();
    const post = (headers: Record<string, string>, body: unknown) =>
      httpRequest(`${fake!.baseUrl}/api/v1/image/nano-banana`, {
        method: 'POST',
        dispatcher,
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const anonymous = await post({}, { prompt: 'x', model: 'nano-banana' });
    expect(anonymous.statusCode).toBe(401);
    await anonymous.body.dump();
    const extra = await post({ authorization: `Bearer ${fake.apiKey}` }, { prompt: 'x', model: 'nano-banana', style: 'vivid' });
    expect(extra.statusCode).toBe(400);
    expect(await extra.body.json()).toEqual({ error: 'unknown field: style' });
    const orphan = await post({ authorization: `Bearer ${fake.apiKey}` }, { prompt: 'x', model: 'nano-banana', mode: 'image-to-image' });
    expect(await orphan.body.json()).toEqual({ error: 'image-to-image requires imageFile or imageUrl' });
  });

  it('holds a thousand tasks in flight and finishes them all', async () => {
    fake = await startFakeXenodia({ latencyMs: 300, jitter: 0.2, recordRequests: false });
    const provider = createXenodiaProvider({ apiKey: fake.apiKey, baseUrl: fake.baseUrl, dispatcher });
    const submitted = await Promise.all(Array.from({ length: 1000 }, () => provider.submit(providerRequest('nano-banana-pro'))));
    await new Promise((resolve) => setTimeout(resolve, 450));
    const outcomes = await Promise.all(
      submitted.map((outcome) => {
        if (outcome.kind !== 'task') throw new Error('expected a task');
        return provider.poll(outcome.task);
      }),
    );
    expect(outcomes.every((outcome) => outcome.status === 'succeeded')).toBe(true);
    expect(fake.requestCount).toBe(2000);
    expect(fake.requests).toHaveLength(0);
  });
});
