// Conversions between stored job rows and what adapters and providers see.
import type { JobSummary } from './delivery.ts';
import type { JobView } from './imagine-service.ts';
import type { JobRecord, StoredRequest } from './job-store.ts';
import type { ProviderRequest } from './provider.ts';
import type { GenerationRequest } from './request.ts';

/** The short description shown next to progress and results. */
export function summarize(job: JobRecord): JobSummary {
  return {
    jobId: job.id,
    prompt: job.request.prompt,
    provider: job.provider,
    model: job.model,
    aspectRatio: job.request.aspectRatio,
    resolution: job.request.resolution,
    outputFormat: job.request.outputFormat,
    referenceCount: job.request.references.length,
    requesterKey: job.requesterKey,
    ...(job.provider === job.request.provider ? {} : { failedOverFrom: job.request.provider }),
    providerNamed: job.request.providerFromDefault !== true,
  };
}

/** What the provider is sent for a stored job (validated when the job was created). */
export function toProviderRequest(request: StoredRequest): ProviderRequest {
  return {
    prompt: request.prompt,
    references: request.references.map((reference) => ({ ...reference })),
    ...(request.aspectRatio === undefined ? {} : { aspectRatio: request.aspectRatio }),
    resolution: request.resolution,
    outputFormat: request.outputFormat,
    model: request.model,
  };
}

/** The stored request back as a `GenerationRequest`, ready to resubmit (reroll, 4K) with a new origin. */
export function toGenerationRequest(job: JobRecord): GenerationRequest {
  const { request } = job;
  return {
    prompt: request.prompt,
    references: request.references.map((reference) => ({
      ...(reference.data === undefined ? {} : { data: reference.data }),
      ...(reference.url === undefined ? {} : { url: reference.url }),
      ...(reference.filename === undefined ? {} : { filename: reference.filename }),
      source: reference.source,
    })),
    ...(request.aspectRatio === undefined ? {} : { aspectRatio: request.aspectRatio }),
    resolution: request.resolution,
    outputFormat: request.outputFormat,
    provider: request.provider,
    model: request.model,
    ...(request.providerFromDefault === true ? { providerFromDefault: true } : {}),
    requester: request.requester,
    origin: job.origin,
  };
}

/** The adapter-facing view of a stored job. */
export function toJobView(job: JobRecord): JobView {
  return {
    id: job.id,
    state: job.state,
    summary: summarize(job),
    request: toGenerationRequest(job),
    origin: job.origin,
    error: job.error,
    deliveredMessageId: job.deliveredMessageId,
    createdAt: job.createdAt,
  };
}
