// What a provider can do, declared as data so the core can validate a request before anything is sent.
import type { ImageMimeType } from './image-type.ts';
import type { AspectRatio, OutputFormat, Resolution } from './request.ts';

/** One model of a provider and the settings it accepts. */
export interface ModelCapability {
  /** The id the provider's API expects and users type. */
  id: string;
  /** Aspect ratios this model accepts. */
  aspectRatios: readonly AspectRatio[];
  /** Resolution tiers this model can produce. */
  resolutions: readonly Resolution[];
  /** Output formats the provider can produce natively; others are converted after download. */
  outputFormats: readonly OutputFormat[];
}

/** Limits on reference images, counted over URLs and files together. */
export interface ReferenceLimits {
  /** Most references in one request. */
  maxCount: number;
  /** Largest accepted file, in bytes. */
  maxBytesPerFile: number;
  /** Accepted image types (checked by sniffing bytes). */
  mimeTypes: readonly ImageMimeType[];
  /** Whether the provider fetches references from URLs. */
  acceptsUrls: boolean;
  /** Whether the provider accepts uploaded reference files. */
  acceptsFiles: boolean;
}

/** Everything the core needs to validate and schedule requests for one provider. */
export interface ProviderCapabilities {
  /** Name shown to users ("Xenodia"). */
  displayName: string;
  /** Models in preference order; `defaultModel` must be one of them. */
  models: readonly ModelCapability[];
  /** Model used when the request names none. */
  defaultModel: string;
  /** Longest prompt accepted, in characters. */
  maxPromptLength: number;
  references: ReferenceLimits;
  /**
   * Words naming the plan or tier the limits come from, appended to limit messages
   * ("on the free plan"); empty when limits do not depend on a plan.
   */
  limitContext: string;
  /** Whether results come back in the create call, through a task to poll, or either. */
  completion: 'sync' | 'async' | 'either';
  /** Typical generation time per tier in seconds, used to pace polling and size deadlines. */
  typicalSeconds: Record<Resolution, number>;
  /** Generations the provider allows at once for this account (e.g. a plan limit); unset = no own limit. */
  maxConcurrentTasks?: number;
}

/** The model entry for `modelId`, or undefined. */
export function findModel(capabilities: ProviderCapabilities, modelId: string): ModelCapability | undefined {
  return capabilities.models.find((model) => model.id === modelId);
}
