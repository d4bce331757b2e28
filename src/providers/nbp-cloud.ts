// The nanobananapro.cloud client: POST /api/v1/image/nano-banana creates a task, POST .../result reports it.
import type { FormData } from 'undici';
import type { ProviderCapabilities } from '../core/capabilities.ts';
import { systemClock } from '../core/clock.ts';
import type { ImageProvider, PollOutcome, ProviderRequest, SubmitOutcome, TaskHandle } from '../core/provider.ts';
import type { ProviderTerms, ReportedCost } from '../core/provider-terms.ts';
import { aspectRatios } from '../core/request.ts';
import { createProviderHttp, defaultPollTimeoutMs, unexpectedShape, type ProviderClientOptions, type ProviderHttp } from './http.ts';
import { imagesFromUrls, nanoBananaTypicalSeconds, newTaskHandle, taskFailure } from './outcomes.ts';
import { multipartBody, needsMultipart, planReferences, urlsOf } from './reference-transport.ts';
import { asObject, readId, readNumber, readProgress, readString, readUrlList } from './response-fields.ts';

/** The create call stores references and queues a task; uploads of 14 files need some room. */
const createTimeoutMs = 90_000;

/** What nanobananapro.cloud accepts. */
export const nbpCloudCapabilities: ProviderCapabilities = {
  displayName: 'nanobananapro.cloud',
  models: [
    // The docs forward "any ratio Nano Banana supports" and default to `auto`.
    { id: 'nano-banana-pro', aspectRatios: [...aspectRatios], resolutions: ['1K', '2K', '4K'], outputFormats: [] },
    // Assumption: `imageSize` is documented without per-model limits, but the non-Pro models
    // have no resolution tiers upstream (Xingchao documents the same models as 1K only), so 2K/4K
    // are offered on Pro only rather than charging for a size that may be ignored.
    { id: 'nano-banana', aspectRatios: [...aspectRatios], resolutions: ['1K'], outputFormats: [] },
    { id: 'nano-banana-fast', aspectRatios: [...aspectRatios], resolutions: ['1K'], outputFormats: [] },
  ],
  defaultModel: 'nano-banana-pro',
  // Assumption: no prompt limit is documented; 4,000 characters is our own cap.
  maxPromptLength: 4000,
  references: {
    maxCount: 14,
    // "10 MB" read as 10,000,000 bytes: the smaller reading, so nothing we accept is refused.
    maxBytesPerFile: 10_000_000,
    // Assumption: the docs name no types; these are the ones Nano Banana takes.
    mimeTypes: ['image/jpeg', 'image/png', 'image/webp'],
    acceptsUrls: true,
    acceptsFiles: true,
  },
  limitContext: '',
  completion: 'async',
  typicalSeconds: nanoBananaTypicalSeconds,
};

/**
 * Seed 003, create call: 401 "not authenticated", 402 "insufficient credits" and 500 "service
 * misconfiguration (e.g., Nano Banana API key missing)" happen before the task reaches Nano Banana;
 * 429 is read by its HTTP meaning. And "failed tasks automatically refund credits" ("when status:
 * failed, credits have already been refunded"), so even a task created behind a 500 costs nothing
 * once it fails. `credits_cost` is "credits deducted for this request", in credits (`cr`).
 */
export const nbpCloudTerms: ProviderTerms = { notAcceptedStatuses: [401, 402, 429, 500], refundsFailedTasks: true, reportedCostUnit: 'cr' };

/** `data.credits_cost` of a create answer, when the service reported it. */
function reportedCost(body: unknown): ReportedCost | undefined {
  const amount = readNumber(asObject(asObject(body)?.data), 'credits_cost');
  return amount === undefined || amount < 0 ? undefined : { amount, unit: 'cr' };
}

/** A task as the create and result calls both describe it. */
type CloudTask = { id: string | undefined } & (
  | { state: 'succeeded'; urls: string[] }
  | { state: 'failed'; reason: string | undefined }
  | { state: 'running'; progress: number | undefined }
);

/** Reads the `{data: {...}}` task answer shared by create and result. */
function readTask(body: unknown, status: number, http: ProviderHttp): CloudTask {
  const data = asObject(asObject(body)?.data);
  const taskState = readString(data, 'status')?.toLowerCase();
  if (data === undefined || taskState === undefined) {
    throw unexpectedShape('nbp-cloud', 'no data.status in the answer', status);
  }
  const id = readId(data, 'id');
  if (taskState === 'succeeded') {
    const urls = readUrlList(data, 'results').map(http.absoluteUrl);
    return urls.length > 0 ? { id, state: 'succeeded', urls } : { id, state: 'failed', reason: 'the task succeeded without an image' };
  }
  if (taskState === 'failed') {
    const reason = readString(data, 'failure_reason') ?? readString(data, 'error') ?? readString(asObject(data.error), 'message');
    return { id, state: 'failed', reason };
  }
  // `running` is the only other documented state.
  return { id, state: 'running', progress: readProgress(data) };
}

/** Creates the nanobananapro.cloud provider. */
export function createNbpCloudProvider(options: ProviderClientOptions): ImageProvider {
  const clock = options.clock ?? systemClock;
  const http = createProviderHttp('nbp-cloud', options);

  function buildBody(request: ProviderRequest): Record<string, unknown> | FormData {
    const planned = planReferences('nbp-cloud', request.references, nbpCloudCapabilities.references);
    const fields = {
      prompt: request.prompt,
      model: request.model,
      mode: planned.length > 0 ? 'image-to-image' : 'text-to-image',
      aspectRatio: request.aspectRatio ?? 'auto',
      imageSize: request.resolution,
    };
    // `imageData` (base64) is never used: files go as multipart parts, links as `imageUrl`.
    if (!needsMultipart(planned)) {
      const urls = urlsOf(planned);
      return { ...fields, ...(urls.length > 0 ? { imageUrl: urls } : {}) };
    }
    return multipartBody(fields, planned, { file: 'imageFile', url: 'imageUrl' });
  }

  async function submit(request: ProviderRequest, signal?: AbortSignal): Promise<SubmitOutcome> {
    const body = buildBody(request);
    const answer = await http.send({
      method: 'POST',
      path: '/api/v1/image/nano-banana',
      body,
      ...(signal === undefined ? {} : { signal }),
      timeoutMs: options.createTimeoutMs ?? createTimeoutMs,
    });
    const task = readTask(answer.body, answer.status, http);
    const cost = reportedCost(answer.body);
    const costed = cost === undefined ? {} : { cost };
    // The create answer has the result's shape and may already be finished (or failed).
    if (task.state === 'succeeded') return { kind: 'completed', images: imagesFromUrls(task.urls), ...costed };
    if (task.state === 'failed') throw taskFailure('nbp-cloud', task.reason, options.apiKey);
    if (task.id === undefined) throw unexpectedShape('nbp-cloud', 'a running task without an id', answer.status);
    return { kind: 'task', task: newTaskHandle('nbp-cloud', task.id, request.model, clock), ...costed };
  }

  async function poll(task: TaskHandle, signal?: AbortSignal): Promise<PollOutcome> {
    const answer = await http.send({
      method: 'POST',
      path: '/api/v1/image/nano-banana/result',
      body: { taskId: task.taskId },
      ...(signal === undefined ? {} : { signal }),
      timeoutMs: options.pollTimeoutMs ?? defaultPollTimeoutMs,
    });
    const state = readTask(answer.body, answer.status, http);
    if (state.state === 'succeeded') return { status: 'succeeded', images: imagesFromUrls(state.urls) };
    if (state.state === 'failed') return { status: 'failed', error: taskFailure('nbp-cloud', state.reason, options.apiKey) };
    return { status: 'pending', phase: 'running', ...(state.progress === undefined ? {} : { progress: state.progress }) };
  }

  return { id: 'nbp-cloud', capabilities: nbpCloudCapabilities, terms: nbpCloudTerms, submit, poll };
}
