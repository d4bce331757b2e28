// nano-banana-pro.net quirks: plan-dependent limits, a string or an array for `image`, lower-case size, no tasks.
import { describe, expect, it } from 'vitest';
import { BotError } from '../../src/core/errors.ts';
import { validateRequest } from '../../src/core/validate-request.ts';
import { createNbpNetProvider, nbpNetCapabilities } from '../../src/providers/nbp-net.ts';
import { startFakeNbpNet, type FakeNbpNetOptions, type FakeNbpNetPlan } from '../fakes/providers/index.ts';
import { useProviderFixture } from './provider-fixture.ts';
import { botErrorFrom, fileReference, providerRequest, referencePng, urlReference } from './provider-test-support.ts';

describe('nbp-net client', () => {
  // The client is told the same plan as the fake (both default to standard).
  const fixture = useProviderFixture(startFakeNbpNet, (fake, dispatcher, options: FakeNbpNetOptions) =>
    createNbpNetProvider({ apiKey: fake.apiKey, baseUrl: fake.baseUrl, dispatcher, plan: options.plan ?? 'standard' }));
  const setUp = (plan: FakeNbpNetPlan = 'standard') => fixture.setUp({ latencyMs: 30, plan });

  it('declares each plan\'s limits, with the plan named in limit messages', () => {
    expect(nbpNetCapabilities('free')).toMatchObject({ limitContext: 'on the free plan', completion: 'sync', references: { maxCount: 3, maxBytesPerFile: 2_500_000 } });
    expect(nbpNetCapabilities('free').models[0]!.resolutions).toEqual(['1K', '2K']);
    expect(nbpNetCapabilities('standard')).toMatchObject({ limitContext: 'on the standard plan', references: { maxCount: 8 } });
    expect(nbpNetCapabilities('standard').models[0]!.resolutions).toEqual(['1K', '2K', '4K']);
    expect(nbpNetCapabilities('pro')).toMatchObject({ limitContext: 'on the pro plan', references: { maxCount: 14 } });
    expect(nbpNetCapabilities('pro').models[0]!.aspectRatios).toEqual(['1:1', '2:3', '3:2', '3:4', '4:3', '9:16', '16:9', '21:9']);
  });

  it('lets validation refuse 4K and a fourth reference on the free plan, naming the plan', () => {
    const capabilities = nbpNetCapabilities('free');
    const references = [1, 2, 3, 4].map((index) => ({ url: `https://example.com/${index}.png`, source: 'url-argument' as const }));
    let error: unknown;
    try {
      validateRequest(
        {
          prompt: 'x',
          references,
          resolution: '4K',
          outputFormat: 'png',
          provider: 'nbp-net',
          requester: { platform: 'cli', userId: 'me' },
          origin: { platform: 'cli' },
        },
        'nbp-net',
        capabilities,
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(BotError);
    expect((error as BotError).message).toMatch(/4K.*on the free plan/);
    expect((error as BotError).message).toMatch(/at most 3 reference images on the free plan/);
  });

  it('sends one link as a string, several as an array, and size in lower case', async () => {
    const { fake, provider } = await setUp();
    await provider.submit(providerRequest('nano-banana-pro', { resolution: '4K', aspectRatio: '21:9', references: [urlReference('https://example.com/a.png')] }));
    await provider.submit(
      providerRequest('nano-banana-pro', { references: [urlReference('https://example.com/a.png'), urlReference('https://example.com/b.png')] }),
    );
    const [single, several] = fake.apiRequests();
    expect(single!.path).toBe('/api/ai/nano-banana/generate');
    expect(single!.json).toEqual({ prompt: 'A banana astronaut on the moon', size: '4k', aspectRatio: '21:9', image: 'https://example.com/a.png' });
    expect(several!.json).toEqual({ prompt: 'A banana astronaut on the moon', size: '1k', image: ['https://example.com/a.png', 'https://example.com/b.png'] });
  });

  it('uploads files as parts named image', async () => {
    const { fake, provider } = await setUp();
    const png = await referencePng();
    const outcome = await provider.submit(providerRequest('nano-banana-pro', { references: [fileReference(png, 'image/png')] }));
    expect(outcome.kind).toBe('completed');
    const create = fake.apiRequests()[0]!;
    expect(create.fields).toEqual({ prompt: ['A banana astronaut on the moon'], size: ['1k'] });
    expect(create.files.map((file) => [file.field, file.sniffedType])).toEqual([['image', 'image/png']]);
  });

  it('passes on the service\'s own refusal of 4K on the free plan', async () => {
    const { provider } = await setUp('free');
    // Validation would stop this first; the point is the 400 body's message reaching the error.
    const error = await botErrorFrom(provider.submit(providerRequest('nano-banana-pro', { resolution: '4K' })));
    expect(error).toMatchObject({ code: 'provider_rejected', status: 400 });
    expect(error.message).toContain('4K generation is not available on the free plan');
  });

  it('maps a 400 {error} refusal to content_refused with the reason, and leaves other 400s alone', async () => {
    const { fake, provider } = await setUp();
    fake.setFault('status400', { message: 'Content blocked by safety filters' });
    const refused = await botErrorFrom(provider.submit(providerRequest('nano-banana-pro')));
    expect(refused).toMatchObject({ code: 'content_refused', status: 400, retryable: false });
    expect(refused.message).toBe('Content blocked by safety filters.');

    fake.setFault('status400', { message: 'Reference image exceeds 2.5MB' });
    const technical = await botErrorFrom(provider.submit(providerRequest('nano-banana-pro')));
    expect(technical).toMatchObject({ code: 'provider_rejected', status: 400 });
  });

  it('maps a 500 generation failure to a retryable provider_failed with the service\'s message', async () => {
    const { fake, provider } = await setUp();
    fake.setFault('taskFails');
    const error = await botErrorFrom(provider.submit(providerRequest('nano-banana-pro')));
    expect(error).toMatchObject({ code: 'provider_failed', status: 500, retryable: true });
    expect(error.message).toContain('Generation failed');
  });

  it('the fake enforces the plan\'s concurrent generations when asked to', async () => {
    const { provider } = await fixture.setUp({ latencyMs: 200, plan: 'free', enforceConcurrency: true });
    const results = await Promise.allSettled([provider.submit(providerRequest('nano-banana-pro')), provider.submit(providerRequest('nano-banana-pro'))]);
    const codes = results.map((result) => (result.status === 'fulfilled' ? 'ok' : (result.reason as BotError).code)).sort();
    expect(codes).toEqual(['ok', 'provider_rate_limited']);
  });
});
