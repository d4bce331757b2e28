// The nano-banana-pro.net client: one synchronous POST /api/ai/nano-banana/generate, limits set by the plan.
import type { FormData } from 'undici';
import type { NbpNetPlan } from '../config.ts';
import type { ProviderCapabilities } from '../core/capabilities.ts';
import { BotError } from '../core/errors.ts';
import type { ImageProvider, PollOutcome, ProviderRequest, SubmitOutcome } from '../core/provider.ts';
import type { ProviderTerms } from '../core/provider-terms.ts';
import type { AspectRatio, Resolution } from '../core/request.ts';
import { createProviderHttp, unexpectedShape, type ProviderClientOptions } from './http.ts';
import { imagesFromUrls, nanoBananaTypicalSeconds } from './outcomes.ts';
import { multipartBody, needsMultipart, planReferences, urlsOf } from './reference-transport.ts';
import { asObject, readUrlList } from './response-fields.ts';

/** Options for nano-banana-pro.net: the shared ones plus the account's plan. */
export interface NbpNetProviderOptions extends ProviderClientOptions {
  /** The account's plan (`NBPNET_PLAN`); it sets the reference count and whether 4K exists. */
  plan: NbpNetPlan;
}

/**
 * The answer arrives only when the image exists: up to ~150 s at 4K, plus uploading up to 14
 * references. The limit covers that with room to spare; it applies to the wait for the headers
 * and to each pause in the body.
 */
const createTimeoutMs = 240_000;

const nbpNetAspectRatios: readonly AspectRatio[] = ['1:1', '2:3', '3:2', '3:4', '4:3', '9:16', '16:9', '21:9'];

const referencesPerPlan: Record<NbpNetPlan, number> = { free: 3, standard: 8, pro: 14 };

const resolutionsPerPlan: Record<NbpNetPlan, readonly Resolution[]> = {
  free: ['1K', '2K'],
  standard: ['1K', '2K', '4K'],
  pro: ['1K', '2K', '4K'],
};

/** What nano-banana-pro.net accepts on `plan`, from its plan table. */
export function nbpNetCapabilities(plan: NbpNetPlan): ProviderCapabilities {
  return {
    displayName: 'nano-banana-pro.net',
    models: [
      {
        // The API takes no model field (the answer names e.g. "nano-banana-2-4k"); this id only
        // gives users and the core one name for the service's single model.
        id: 'nano-banana-pro',
        aspectRatios: nbpNetAspectRatios,
        resolutions: resolutionsPerPlan[plan],
        outputFormats: [],
      },
    ],
    defaultModel: 'nano-banana-pro',
    // Assumption: no prompt limit is documented; 4,000 characters is our own cap.
    maxPromptLength: 4000,
    references: {
      maxCount: referencesPerPlan[plan],
      // "2.5MB" read as 2,500,000 bytes: the smaller reading, so nothing we accept is refused.
      maxBytesPerFile: 2_500_000,
      // Assumption: the docs name no types; these are the ones Nano Banana takes.
      mimeTypes: ['image/jpeg', 'image/png', 'image/webp'],
      acceptsUrls: true,
      acceptsFiles: true,
    },
    limitContext: `on the ${plan} plan`,
    completion: 'sync',
    typicalSeconds: nanoBananaTypicalSeconds,
  };
}

/**
 * Seed 004's error table: 401 "missing or invalid API key" and 402 "insufficient credits" take no
 * work; 429 is read by its HTTP meaning. 500 is "Generation failed": the call is synchronous, so
 * the generation ran, and nothing says whether it was charged: unknown. Costs and refunds are not
 * documented.
 */
export const nbpNetTerms: ProviderTerms = { notAcceptedStatuses: [401, 402, 429], refundsFailedTasks: false };

/** Creates the nano-banana-pro.net provider. */
export function createNbpNetProvider(options: NbpNetProviderOptions): ImageProvider {
  const capabilities = nbpNetCapabilities(options.plan);
  const http = createProviderHttp('nbp-net', options);

  function buildBody(request: ProviderRequest): Record<string, unknown> | FormData {
    const planned = planReferences('nbp-net', request.references, capabilities.references);
    const fields = {
      prompt: request.prompt,
      size: request.resolution.toLowerCase(),
      ...(request.aspectRatio === undefined ? {} : { aspectRatio: request.aspectRatio }),
    };
    if (!needsMultipart(planned)) {
      const urls = urlsOf(planned);
      if (urls.length === 0) return fields;
      // The docs show a bare string for one reference and an array for several.
      return { ...fields, image: urls.length === 1 ? urls[0] : urls };
    }
    // Assumption: a link among uploads travels as a text part under the same `image` name;
    // the docs show files only in multipart, and dropping the link silently is not an option.
    return multipartBody(fields, planned, { file: 'image', url: 'image' });
  }

  async function submit(request: ProviderRequest, signal?: AbortSignal): Promise<SubmitOutcome> {
    const body = buildBody(request);
    const answer = await http.send({
      method: 'POST',
      path: '/api/ai/nano-banana/generate',
      body,
      ...(signal === undefined ? {} : { signal }),
      timeoutMs: options.createTimeoutMs ?? createTimeoutMs,
    });
    const urls = readUrlList(asObject(answer.body), 'images');
    if (urls.length === 0) throw unexpectedShape('nbp-net', 'no images[].url in the answer', answer.status);
    return { kind: 'completed', images: imagesFromUrls(urls.map(http.absoluteUrl)) };
  }

  async function poll(): Promise<PollOutcome> {
    throw new BotError('internal', 'nbp-net answers synchronously and has no tasks to poll', { retryable: false });
  }

  return { id: 'nbp-net', capabilities, terms: nbpNetTerms, submit, poll };
}
