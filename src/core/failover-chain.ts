// The providers a create call may go to, in order: the job's own, then PROVIDER_FALLBACKS; each fallback checked against the request as validated.
import type { ProviderCapabilities } from './capabilities.ts';
import { toBotError } from './errors.ts';
import type { ImageProvider, ProviderRequest } from './provider.ts';
import type { ProviderId } from './request.ts';
import { validateRequest } from './validate-request.ts';

/** One provider of the chain. */
export type ChainLink =
  /** A provider that can make the image, with the request as it takes it. */
  | { kind: 'servable'; provider: ImageProvider; request: ProviderRequest }
  /** A provider that cannot (model family, aspect ratio, resolution, reference count or transport), and why. */
  | { kind: 'unservable'; providerId: ProviderId; model?: string; reason: string };

/** What a chain is built from. */
export interface ChainInput {
  /** The provider the request was made for, with the request as validated for it. */
  primary: { provider: ImageProvider; request: ProviderRequest };
  /** Where it may go next, in order; empty when it may not move (the user named its provider). */
  fallbacks: readonly ProviderId[];
  /** The configured providers. */
  providerFor(id: ProviderId): ImageProvider | undefined;
}

/**
 * The family a model belongs to: its id without a `-stable` suffix (Xingchao's stable builds of the
 * same model). Models with other names (nano-banana-fast, nano-banana-2) are different models.
 */
export function familyOf(modelId: string): string {
  return modelId.replace(/-stable$/, '');
}

/** The model of `capabilities` in the family of `modelId`: the same id when offered, else the first of the family. */
export function sameFamilyModel(capabilities: ProviderCapabilities, modelId: string): string | undefined {
  if (capabilities.models.some((model) => model.id === modelId)) return modelId;
  const family = familyOf(modelId);
  return capabilities.models.find((model) => familyOf(model.id) === family)?.id;
}

/** The fallback `id` as a link: the request re-validated with the existing capability check, or why it cannot serve it. */
function fallbackLink(id: ProviderId, provider: ImageProvider | undefined, primary: ProviderRequest): ChainLink {
  if (provider === undefined) return { kind: 'unservable', providerId: id, reason: `${id} is not configured` };
  const model = sameFamilyModel(provider.capabilities, primary.model);
  if (model === undefined) return { kind: 'unservable', providerId: id, reason: `${id} has no ${familyOf(primary.model)} model` };
  try {
    return { kind: 'servable', provider, request: validateRequest({ ...primary, model }, id, provider.capabilities) };
  } catch (error) {
    // The validation message names every limit hit ("accepts at most 8 reference images; you sent 9").
    return { kind: 'unservable', providerId: id, model, reason: toBotError(error).message };
  }
}

/** The chain for one create call: the primary first, then every fallback other than it, in the configured order. */
export function buildFailoverChain(input: ChainInput): ChainLink[] {
  const { primary } = input;
  const fallbacks = input.fallbacks.filter((id) => id !== primary.provider.id);
  return [
    { kind: 'servable', provider: primary.provider, request: primary.request },
    ...fallbacks.map((id) => fallbackLink(id, input.providerFor(id), primary.request)),
  ];
}
