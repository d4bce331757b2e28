// The failover chain and its rules: same model family, the capability check reused for each fallback, and which failures count as "not accepted" per provider.
import { describe, expect, it } from 'vitest';
import { BotError } from '../../src/core/errors.ts';
import { buildFailoverChain, familyOf, sameFamilyModel } from '../../src/core/failover-chain.ts';
import { refusalKind } from '../../src/core/failover.ts';
import type { ImageProvider, ProviderRequest } from '../../src/core/provider.ts';
import type { ProviderId } from '../../src/core/request.ts';
import { createMockProvider } from '../../src/providers/mock.ts';
import { createNbpCloudProvider, nbpCloudTerms } from '../../src/providers/nbp-cloud.ts';
import { createNbpNetProvider, nbpNetTerms } from '../../src/providers/nbp-net.ts';
import { createXenodiaProvider, xenodiaTerms } from '../../src/providers/xenodia.ts';
import { createXingchaoProvider, xingchaoCapabilities, xingchaoTerms } from '../../src/providers/xingchao.ts';
import { pngOf } from '../support/solid-png.ts';

const connection = { apiKey: 'key', baseUrl: 'http://127.0.0.1:9' };
const providers = new Map<ProviderId, ImageProvider>([
  ['xenodia', createXenodiaProvider(connection)],
  ['xingchao', createXingchaoProvider(connection)],
  ['nbp-cloud', createNbpCloudProvider(connection)],
  ['nbp-net', createNbpNetProvider({ ...connection, plan: 'standard' })],
  ['mock', createMockProvider({ delayMs: 0 })],
]);

function request(overrides: Partial<ProviderRequest> = {}): ProviderRequest {
  return { prompt: 'a banana', references: [], resolution: '1K', outputFormat: 'png', model: 'nano-banana-pro', ...overrides };
}

describe('failover chain', () => {
  it('keeps the model family: the same id when offered, a stable build counts as its model, other models do not', () => {
    expect(familyOf('nano-banana-pro-stable')).toBe('nano-banana-pro');
    expect(sameFamilyModel(xingchaoCapabilities, 'nano-banana-pro')).toBe('nano-banana-pro');
    const xenodia = providers.get('xenodia') as ImageProvider;
    expect(sameFamilyModel(xenodia.capabilities, 'nano-banana-pro-stable')).toBe('nano-banana-pro');
    expect(sameFamilyModel(xenodia.capabilities, 'nano-banana-fast')).toBeUndefined();
  });

  it('checks each fallback with the capability validation: model family, resolution, references and their transport', async () => {
    const primary = providers.get('nbp-cloud') as ImageProvider;
    const file = { data: await pngOf(10, 20, 30), filename: 'ref.png', source: 'attachment' as const, mimeType: 'image/png' as const };
    const chain = buildFailoverChain({
      primary: { provider: primary, request: request({ references: [file], resolution: '2K' }) },
      fallbacks: ['nbp-cloud', 'xingchao', 'xenodia'],
      providerFor: (id) => providers.get(id),
    });
    // The primary is not repeated; Xingchao takes links only, so an uploaded file rules it out.
    expect(chain.map((link) => (link.kind === 'servable' ? [link.provider.id, link.request.model] : [link.providerId, link.reason]))).toEqual([
      ['nbp-cloud', 'nano-banana-pro'],
      ['xingchao', expect.stringMatching(/only accepts reference images as public links/)],
      ['xenodia', 'nano-banana-pro'],
    ]);
    const cheaper = buildFailoverChain({
      primary: { provider: primary, request: request({ model: 'nano-banana-fast' }) },
      fallbacks: ['xenodia'],
      providerFor: (id) => providers.get(id),
    });
    expect(cheaper[1]).toEqual({ kind: 'unservable', providerId: 'xenodia', reason: 'xenodia has no nano-banana-fast model' });
  });
});

describe('which failed create calls count as "not accepted"', () => {
  const status = (code: ConstructorParameters<typeof BotError>[0], value: number) => new BotError(code, `HTTP ${value}`, { status: value });

  it('follows each provider’s documented terms', () => {
    const table = Object.entries({ xenodia: xenodiaTerms, xingchao: xingchaoTerms, 'nbp-cloud': nbpCloudTerms, 'nbp-net': nbpNetTerms }).map(
      ([provider, terms]) => [
        provider,
        refusalKind(status('provider_auth', 401), terms),
        refusalKind(status('provider_billing', 402), terms),
        refusalKind(status('provider_rate_limited', 429), terms),
        refusalKind(status('provider_failed', 500), terms),
        refusalKind(status('provider_failed', 502), terms),
        refusalKind(status('provider_rejected', 400), terms),
      ],
    );
    expect(table).toEqual([
      ['xenodia', 'cool_down', 'cool_down', 'move', undefined, undefined, undefined],
      ['xingchao', 'cool_down', 'cool_down', 'move', undefined, undefined, undefined],
      ['nbp-cloud', 'cool_down', 'cool_down', 'move', 'move', undefined, undefined],
      ['nbp-net', 'cool_down', 'cool_down', 'move', undefined, undefined, undefined],
    ]);
  });

  it('moves when nothing was sent, never after a task failed or for a request at fault', () => {
    const notSent = new BotError('provider_failed', 'Could not reach xenodia (ECONNREFUSED)', { providerOutcome: 'not_sent' });
    const taskFailed = new BotError('provider_failed', 'xenodia could not generate the image', { providerOutcome: 'task_failed', status: 402 });
    expect(refusalKind(notSent, xenodiaTerms)).toBe('move');
    expect(refusalKind(taskFailed, xenodiaTerms)).toBeUndefined();
    expect(refusalKind(new BotError('invalid_request', 'no', { status: 402 }), xenodiaTerms)).toBeUndefined();
    expect(refusalKind(new BotError('provider_failed', 'socket closed'), xenodiaTerms)).toBeUndefined();
    // A content refusal would be refused anywhere: never moved, even on a status the provider documents as taking nothing.
    for (const value of [400, 422, 500]) expect(refusalKind(status('content_refused', value), nbpCloudTerms)).toBeUndefined();
  });
});
