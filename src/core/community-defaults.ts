// A community's default provider, model, aspect ratio and resolution filled into what a request leaves unchosen.
import type { CommunitySettings } from './community-settings.ts';
import type { ImageProvider } from './provider.ts';
import type { GenerationRequest, ProviderId } from './request.ts';

/**
 * `request` with the community's defaults in the places the user left open: the provider only when
 * the bot chose it (`providerFromDefault`), the model and aspect ratio when unset, the resolution when
 * the adapter filled it in (`resolutionFromDefault`). A default the chosen model cannot do is skipped
 * rather than turned into a refusal: the user asked for none of it. The user's own options always win.
 */
export function applyCommunityDefaults(
  request: GenerationRequest,
  settings: CommunitySettings,
  providers: ReadonlyMap<ProviderId, ImageProvider>,
  operatorModelFor: (provider: ProviderId) => string | undefined,
): GenerationRequest {
  let next = request;
  if (request.providerFromDefault === true && settings.provider !== undefined && providers.has(settings.provider) && request.model === undefined) {
    next = { ...next, provider: settings.provider };
  }
  const provider = providers.get(next.provider);
  if (provider === undefined) return next;
  if (next.model === undefined && settings.model !== undefined && provider.capabilities.models.some((model) => model.id === settings.model)) {
    next = { ...next, model: settings.model };
  }
  const modelId = next.model ?? operatorModelFor(next.provider) ?? provider.capabilities.defaultModel;
  const model = provider.capabilities.models.find((candidate) => candidate.id === modelId);
  if (model === undefined) return next;
  if (next.aspectRatio === undefined && settings.aspectRatio !== undefined && model.aspectRatios.includes(settings.aspectRatio)) {
    next = { ...next, aspectRatio: settings.aspectRatio };
  }
  if (next.resolutionFromDefault === true && settings.resolution !== undefined && model.resolutions.includes(settings.resolution)) {
    next = { ...next, resolution: settings.resolution };
  }
  return next;
}
