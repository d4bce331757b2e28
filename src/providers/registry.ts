// Builds the configured providers from the config: every provider with a key, plus the offline mock.
import type { Dispatcher } from 'undici';
import type { Config } from '../config.ts';
import type { Clock } from '../core/clock.ts';
import type { ImageProvider } from '../core/provider.ts';
import type { ProviderId } from '../core/request.ts';
import { createMockProvider } from './mock.ts';
import { createNbpCloudProvider } from './nbp-cloud.ts';
import { createNbpNetProvider } from './nbp-net.ts';
import { createXenodiaProvider } from './xenodia.ts';
import { createXingchaoProvider } from './xingchao.ts';

export interface ProviderEdges {
  dispatcher?: Dispatcher;
  clock?: Clock;
}

/** One instance per configured provider, keyed by id; `mock` is always present (it needs no key). */
export function createProviders(config: Pick<Config, 'providers'>, edges: ProviderEdges = {}): Map<ProviderId, ImageProvider> {
  const { providers } = config;
  const shared = {
    ...(edges.dispatcher === undefined ? {} : { dispatcher: edges.dispatcher }),
    ...(edges.clock === undefined ? {} : { clock: edges.clock }),
  };
  const created: ImageProvider[] = [createMockProvider({ delayMs: providers.mock.delayMs, ...(edges.clock === undefined ? {} : { clock: edges.clock }) })];
  if (providers.xenodia.apiKey) {
    created.push(createXenodiaProvider({ apiKey: providers.xenodia.apiKey, baseUrl: providers.xenodia.baseUrl, ...shared }));
  }
  if (providers.xingchao.apiKey) {
    created.push(createXingchaoProvider({ apiKey: providers.xingchao.apiKey, baseUrl: providers.xingchao.baseUrl, ...shared }));
  }
  if (providers.nbpCloud.apiKey) {
    created.push(createNbpCloudProvider({ apiKey: providers.nbpCloud.apiKey, baseUrl: providers.nbpCloud.baseUrl, ...shared }));
  }
  if (providers.nbpNet.apiKey) {
    created.push(
      createNbpNetProvider({ apiKey: providers.nbpNet.apiKey, baseUrl: providers.nbpNet.baseUrl, plan: providers.nbpNet.plan, ...shared }),
    );
  }
  return new Map(created.map((provider) => [provider.id, provider]));
}
