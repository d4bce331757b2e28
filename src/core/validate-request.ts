// Checks a request against the chosen provider's declared capabilities before anything is sent or charged.
import { findModel, type ProviderCapabilities } from './capabilities.ts';
import { invalidRequest } from './errors.ts';
import { describeMimeType, describeNonImage, sniffImageType } from './image-type.ts';
import type { ProviderRequest, ValidatedReference } from './provider.ts';
import { formatBytes } from './format.ts';
import { aspectRatios, type AspectRatio, type GenerationRequest, type Reference } from './request.ts';

function withContext(capabilities: ProviderCapabilities): string {
  return capabilities.limitContext ? ` ${capabilities.limitContext}` : '';
}

function describeReference(reference: Reference, index: number): string {
  const name = reference.filename ?? (reference.data === undefined ? reference.url : undefined);
  return name ? `Reference ${index + 1} (${name})` : `Reference ${index + 1}`;
}

/** Link-local hosts (cloud metadata endpoints live there) are never fetched on a user's behalf. */
function isLinkLocalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (/^169\.254\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  return /^fe[89ab][0-9a-f]?:/.test(host);
}

/** Problems with a reference URL as a URL (scheme, host), or undefined when it is acceptable. */
export function checkReferenceUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a valid URL`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `"${url}" must be an http(s) URL`;
  }
  if (isLinkLocalHost(parsed.hostname)) return `"${url}" points at a link-local address, which is not allowed`;
  return undefined;
}

function checkReference(
  reference: Reference,
  index: number,
  providerId: string,
  capabilities: ProviderCapabilities,
  problems: string[],
): ValidatedReference {
  const limits = capabilities.references;
  const label = describeReference(reference, index);
  if (reference.url !== undefined) {
    const urlProblem = checkReferenceUrl(reference.url);
    if (urlProblem) problems.push(`${label}: ${urlProblem}.`);
  }
  if (reference.data === undefined) {
    if (!limits.acceptsUrls) {
      problems.push(`${label} is a link, but ${providerId} only accepts reference images as uploaded files.`);
    }
    return { ...reference };
  }
  const mimeType = sniffImageType(reference.data);
  if (mimeType === undefined) {
    problems.push(`${label} is ${describeNonImage(reference.data)}, not an image: use a PNG, JPEG or WebP file.`);
    return { ...reference };
  }
  if (!limits.mimeTypes.includes(mimeType)) {
    const accepted = limits.mimeTypes.map(describeMimeType).join(', ');
    problems.push(`${label} is a ${describeMimeType(mimeType)} image; ${providerId} accepts ${accepted}.`);
  }
  if (reference.data.byteLength > limits.maxBytesPerFile) {
    problems.push(
      `${label} is ${formatBytes(reference.data.byteLength)}; ${providerId} accepts at most ` +
        `${formatBytes(limits.maxBytesPerFile)} per image${withContext(capabilities)}.`,
    );
  }
  if (!limits.acceptsFiles && reference.url === undefined) {
    problems.push(
      `${label} is a file, but ${providerId} only accepts reference images as public links (URLs); ` +
        'choose another provider for file references.',
    );
  }
  return { ...reference, mimeType };
}

/** The fields validation reads: what is asked, never who asked or where (so a fallback can be checked too). */
export type ValidatableRequest = Pick<GenerationRequest, 'prompt' | 'references' | 'aspectRatio' | 'resolution' | 'outputFormat' | 'model'>;

/**
 * Validates `request` for `providerId` and resolves its defaults. Throws `invalid_request` naming
 * every limit that was hit, so the user can fix everything at once.
 */
export function validateRequest(
  request: ValidatableRequest | GenerationRequest,
  providerId: string,
  capabilities: ProviderCapabilities,
): ProviderRequest {
  const problems: string[] = [];
  const prompt = request.prompt.trim();
  if (prompt.length === 0) {
    problems.push('The prompt is empty: describe the image you want.');
  } else if (prompt.length > capabilities.maxPromptLength) {
    problems.push(
      `The prompt is ${prompt.length.toLocaleString('en-US')} characters; ${providerId} accepts at most ` +
        `${capabilities.maxPromptLength.toLocaleString('en-US')}.`,
    );
  }

  const modelId = request.model ?? capabilities.defaultModel;
  const model = findModel(capabilities, modelId);
  if (model === undefined) {
    const choices = capabilities.models.map((candidate) => candidate.id).join(', ');
    throw invalidRequest([...problems, `${providerId} has no model "${modelId}"; choose one of: ${choices}.`].join('\n'));
  }

  let aspectRatio: AspectRatio | undefined;
  if (request.aspectRatio !== undefined) {
    const wanted = request.aspectRatio.trim().toLowerCase();
    const known = (aspectRatios as readonly string[]).includes(wanted);
    if (known && model.aspectRatios.includes(wanted as AspectRatio)) {
      aspectRatio = wanted as AspectRatio;
    } else {
      problems.push(
        `${providerId} does not support aspect ratio "${request.aspectRatio}"; choose one of: ` +
          `${model.aspectRatios.join(', ')}.`,
      );
    }
  }

  if (!model.resolutions.includes(request.resolution)) {
    const capable = capabilities.models.filter((candidate) => candidate.resolutions.includes(request.resolution));
    const hint = capable.length > 0
      ? `${request.resolution} needs ${capable.map((candidate) => candidate.id).join(' or ')}.`
      : `${providerId} offers ${model.resolutions.join(', ')}${withContext(capabilities)}.`;
    problems.push(`${model.id} on ${providerId} cannot make ${request.resolution} images${withContext(capabilities)}; ${hint}`);
  }

  const limits = capabilities.references;
  if (request.references.length > limits.maxCount) {
    problems.push(
      `${providerId} accepts at most ${limits.maxCount} reference image${limits.maxCount === 1 ? '' : 's'}` +
        `${withContext(capabilities)}; you sent ${request.references.length}.`,
    );
  }
  const references = request.references.map((reference, index) =>
    checkReference(reference, index, providerId, capabilities, problems),
  );

  if (problems.length > 0) throw invalidRequest(problems.join('\n'));
  return {
    prompt,
    references,
    ...(aspectRatio === undefined ? {} : { aspectRatio }),
    resolution: request.resolution,
    outputFormat: request.outputFormat,
    model: model.id,
  };
}
