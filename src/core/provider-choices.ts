// The configured providers as users may pick them: default first, each with the model it uses when none is named.
import { operatorModelFor, type Config } from '../config.ts';
import type { ProviderChoice } from './imagine-service.ts';
import type { ImageProvider } from './provider.ts';
import type { ProviderId } from './request.ts';

/** Every configured provider, the default first; the default's model is the operator's PROVIDER_MODEL when set. */
export function providerChoicesFor(providers: ReadonlyMap<ProviderId, ImageProvider>, config: Pick<Config, 'defaultProvider' | 'defaultModel'>): ProviderChoice[] {
  const choices = [...providers.values()].map((provider) => ({
    id: provider.id,
    displayName: provider.capabilities.displayName,
    models: provider.capabilities.models,
    defaultModel: operatorModelFor(config, provider.id) ?? provider.capabilities.defaultModel,
  }));
  return choices.sort((left, right) => Number(right.id === config.defaultProvider) - Number(left.id === config.defaultProvider));
}
