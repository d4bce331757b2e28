// Resolves provider, model, aspect ratio and resolution from flags and an earlier job, checked against the providers.
import type { ImagineService, JobView } from '../../core/imagine-service.ts';
import type { ProviderId, Resolution } from '../../core/request.ts';
import { slackText } from './messages.ts';
import type { ImagineFlags } from './parse-command.ts';

/** The settings of a request, before the core validates the whole request. */
export interface JobSettings {
  provider: ProviderId;
  /** True when the bot chose `provider` (its default, no `--provider` here or in the job it came from): it may fail over. */
  providerFromDefault?: boolean;
  /** Undefined means the provider's default model. */
  model: string | undefined;
  aspectRatio: string | undefined;
  resolution: Resolution;
  /** True when the bot filled in `resolution` (no `--res` here or in the job it came from): the workspace's default may replace it. */
  resolutionFromDefault?: boolean;
}

/** The settings a remix or reroll inherits from `job`. */
export function settingsOf(job: JobView): JobSettings {
  return {
    provider: job.request.provider,
    ...(job.request.providerFromDefault === true ? { providerFromDefault: true } : {}),
    model: job.request.model,
    aspectRatio: job.request.aspectRatio,
    // Whatever resolution the earlier job ended up with (its own choice or the workspace's) is kept.
    resolution: job.request.resolution,
  };
}

/**
 * Applies `flags` over `inherited` (or the bot's defaults). Flag values the chosen model cannot do are
 * refused with the choices it offers, before anything is posted; inherited ones it cannot do are dropped,
 * which only happens when a flag switched the provider or model.
 */
export function resolveSettings(service: ImagineService, flags: ImagineFlags, inherited?: JobSettings): { settings: JobSettings } | { error: string } {
  const choices = service.providers();
  const providerId = flags.provider ?? inherited?.provider ?? service.defaultProvider;
  const fromDefault = flags.provider === undefined && (inherited === undefined || inherited.providerFromDefault === true);
  const provider = choices.find((choice) => choice.id === providerId);
  if (!provider) return { error: slackText.flags.unknownProvider(providerId, choices.map((choice) => choice.id)) };
  const keepsModel = inherited !== undefined && flags.provider === undefined;
  const modelId = flags.model ?? (keepsModel ? inherited.model : undefined) ?? provider.defaultModel;
  const model = provider.models.find((candidate) => candidate.id === modelId);
  if (!model) return { error: slackText.flags.unknownModel(provider.id, modelId, provider.models.map((candidate) => candidate.id)) };

  let aspectRatio = flags.aspectRatio ?? inherited?.aspectRatio;
  if (aspectRatio !== undefined && !(model.aspectRatios as readonly string[]).includes(aspectRatio)) {
    if (flags.aspectRatio !== undefined) return { error: slackText.flags.unsupportedAspect(model.id, aspectRatio, model.aspectRatios) };
    aspectRatio = undefined;
  }
  const resolutionFromDefault = flags.resolution === undefined && inherited === undefined;
  let resolution = flags.resolution ?? inherited?.resolution ?? '1K';
  if (!model.resolutions.includes(resolution)) {
    if (flags.resolution !== undefined) return { error: slackText.flags.unsupportedResolution(model.id, resolution, model.resolutions) };
    resolution = model.resolutions[0] ?? '1K';
  }
  const chosenModel = flags.model ?? (keepsModel ? inherited.model : undefined);
  return {
    settings: {
      provider: provider.id,
      ...(fromDefault ? { providerFromDefault: true } : {}),
      model: chosenModel,
      aspectRatio,
      resolution,
      ...(resolutionFromDefault ? { resolutionFromDefault: true } : {}),
    },
  };
}
