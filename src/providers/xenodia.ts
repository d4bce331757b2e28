// The Xenodia client: POST /v1/images/generations in task mode, polled through GET /v1/tasks/{id}.
import type { FormData } from 'undici';
import type { ProviderCapabilities } from '../core/capabilities.ts';
import { systemClock } from '../core/clock.ts';
import type { ImageProvider, PollOutcome, ProviderRequest, SubmitOutcome, TaskHandle } from '../core/provider.ts';
import type { ProviderTerms } from '../core/provider-terms.ts';
import { aspectRatios } from '../core/request.ts';
import { createProviderHttp, defaultPollTimeoutMs, unexpectedShape, type ProviderClientOptions } from './http.ts';
import { imagesFromUrls, nanoBananaTypicalSeconds, newTaskHandle, pollHint, taskFailure } from './outcomes.ts';
import { multipartBody, needsMultipart, planReferences, urlsOf } from './reference-transport.ts';
import { asObject, describeProviderErrorCode, describeProviderMessage, readId, readNumber, readProgress, readString, readUrlList } from './response-fields.ts';

/**
 * A create may block until the image exists when the service answers synchronously despite
 * `async: true` (up to ~150 s at 4K), so its limit covers a whole generation.
 */
const createTimeoutMs = 180_000;

/** What Xenodia accepts, from its published request schema. */
export const xenodiaCapabilities: ProviderCapabilities = {
  displayName: 'Xenodia',
  models: [
    {
      id: 'nano-banana-pro',
      // The schema's enum is exactly the project's full list, `auto` included.
      aspectRatios: [...aspectRatios],
      resolutions: ['1K', '2K', '4K'],
      outputFormats: ['png', 'jpg'],
    },
  ],
  defaultModel: 'nano-banana-pro',
  // Assumption: the schema only requires a non-empty prompt; 4,000 characters is our own cap.
  maxPromptLength: 4000,
  references: {
    maxCount: 8,
    maxBytesPerFile: 31_457_280,
    mimeTypes: ['image/jpeg', 'image/png', 'image/webp'],
    acceptsUrls: true,
    acceptsFiles: true,
  },
  limitContext: '',
  completion: 'either',
  typicalSeconds: nanoBananaTypicalSeconds,
};

/**
 * What seeds 000 and 002 say about refused calls: 401 "missing or invalid Bearer token" and 402
 * "insufficient balance" ("billing boundaries") take no task. 429 is not documented; it is read by
 * its HTTP meaning (RFC 6585: refused for rate, before any work). 502 `image_generation_failed` is
 * "upstream image generation failed": generation was attempted and nothing says whether it was
 * charged, so its outcome stays unknown. Refunds and per-task costs are not documented (prices are
 * catalog data at /v1/models), so spend comes from PROVIDER_PRICES.
 */
export const xenodiaTerms: ProviderTerms = { notAcceptedStatuses: [401, 402, 429], refundsFailedTasks: false };

/** The scalar request fields, typed as Xenodia names them. */
interface XenodiaFields {
  model: string;
  prompt: string;
  n: number;
  async: boolean;
  response_format: 'url';
  aspect_ratio?: string;
  resolution: string;
  output_format: string;
}

function scalarFields(request: ProviderRequest): XenodiaFields {
  return {
    model: request.model,
    prompt: request.prompt,
    n: 1,
    // Task mode is the robust default: the create returns at once and the shared scheduler polls,
    // instead of one HTTP call held open for the whole generation.
    async: true,
    response_format: 'url',
    ...(request.aspectRatio === undefined ? {} : { aspect_ratio: request.aspectRatio }),
    resolution: request.resolution,
    output_format: request.outputFormat,
  };
}

/** Creates the Xenodia provider. */
export function createXenodiaProvider(options: ProviderClientOptions): ImageProvider {
  const clock = options.clock ?? systemClock;
  const http = createProviderHttp('xenodia', options);

  function buildBody(request: ProviderRequest): Record<string, unknown> | FormData {
    const planned = planReferences('xenodia', request.references, xenodiaCapabilities.references);
    const fields = scalarFields(request);
    if (!needsMultipart(planned)) {
      const urls = urlsOf(planned);
      return { ...fields, ...(urls.length > 0 ? { image_input: urls } : {}) };
    }
    return multipartBody(fields, planned, { file: 'image[]', url: 'image_input[]' });
  }

  async function submit(request: ProviderRequest, signal?: AbortSignal): Promise<SubmitOutcome> {
    const body = buildBody(request);
    const answer = await http.send({
      method: 'POST',
      path: '/v1/images/generations',
      body,
      ...(signal === undefined ? {} : { signal }),
      timeoutMs: options.createTimeoutMs ?? createTimeoutMs,
    });
    const object = asObject(answer.body);
    // Decided by shape, not status: newer docs say every call answers 202 with a task (even
    // when sync was asked), and an older deployment may answer 200 with the image even in task mode.
    const taskId = readId(object, 'task_id');
    if (taskId !== undefined) {
      const hint = pollHint(readNumber(object, 'recommended_poll_interval_ms'), readNumber(object, 'eta_hint_seconds'));
      return {
        kind: 'task',
        task: newTaskHandle('xenodia', taskId, request.model, clock),
        ...(hint === undefined ? {} : { hint }),
      };
    }
    const urls = readUrlList(object, 'data');
    if (urls.length > 0) return { kind: 'completed', images: imagesFromUrls(urls.map(http.absoluteUrl)) };
    throw unexpectedShape('xenodia', 'neither a task_id nor data[].url in the create answer', answer.status);
  }

  async function poll(task: TaskHandle, signal?: AbortSignal): Promise<PollOutcome> {
    const answer = await http.send({
      method: 'GET',
      path: `/v1/tasks/${encodeURIComponent(task.taskId)}`,
      ...(signal === undefined ? {} : { signal }),
      timeoutMs: options.pollTimeoutMs ?? defaultPollTimeoutMs,
    });
    const object = asObject(answer.body);
    const state = readString(object, 'state')?.toLowerCase();
    if (state === undefined) throw unexpectedShape('xenodia', 'a task without a state', answer.status);
    const progress = readProgress(object);
    const hint = pollHint(readNumber(object, 'recommended_poll_interval_ms'), readNumber(object, 'eta_hint_seconds'));
    const extras = { ...(progress === undefined ? {} : { progress }), ...(hint === undefined ? {} : { hint }) };

    // The documented states are waiting, queuing, generating, success and fail; the spelled-out
    // synonyms are accepted too so a wording change cannot leave a finished task polling forever.
    switch (state) {
      case 'success':
      case 'succeeded':
      case 'completed': {
        const urls = readUrlList(asObject(object?.result), 'data');
        if (urls.length === 0) return { status: 'failed', error: taskFailure('xenodia', 'the task succeeded without an image', options.apiKey) };
        return { status: 'succeeded', images: imagesFromUrls(urls.map(http.absoluteUrl)) };
      }
      case 'fail':
      case 'failed':
      case 'error':
      case 'cancelled':
        return { status: 'failed', error: taskFailure('xenodia', describeProviderMessage(object?.error), options.apiKey, describeProviderErrorCode(object?.error)) };
      case 'waiting':
      case 'queuing':
        return { status: 'pending', phase: 'queued', ...extras };
      default:
        // `generating`, and any state added later: still working; the job deadline bounds it.
        return { status: 'pending', phase: 'running', ...extras };
    }
  }

  return { id: 'xenodia', capabilities: xenodiaCapabilities, terms: xenodiaTerms, submit, poll };
}
