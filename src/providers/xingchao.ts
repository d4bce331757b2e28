// The Xingchao client: JSON POST /v1/banana/images creates a task, GET /v1/result/{id} reports it.
import type { ModelCapability, ProviderCapabilities } from '../core/capabilities.ts';
import { systemClock } from '../core/clock.ts';
import type { ImageProvider, PollHint, PollOutcome, ProviderRequest, SubmitOutcome, TaskHandle } from '../core/provider.ts';
import type { ProviderTerms } from '../core/provider-terms.ts';
import type { AspectRatio, Resolution } from '../core/request.ts';
import { createProviderHttp, defaultPollTimeoutMs, unexpectedShape, type ProviderClientOptions } from './http.ts';
import { imagesFromUrls, nanoBananaTypicalSeconds, newTaskHandle, taskFailure } from './outcomes.ts';
import { planReferences, urlsOf } from './reference-transport.ts';
import { asObject, describeProviderMessage, readId, readProgress, readString, readUrlList } from './response-fields.ts';

/** The create call only queues a task, so a short limit is enough. */
const createTimeoutMs = 60_000;

/** The public docs advise polling every 2-5 s; the middle of that range is offered as a hint. */
const documentedPollHint: PollHint = { nextPollInMs: 3000 };

/** `size` values from the docs (no `auto`). */
const xingchaoAspectRatios: readonly AspectRatio[] = ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3', '5:4', '4:5', '21:9'];

function model(id: string, resolutions: readonly Resolution[]): ModelCapability {
  // No output format field exists; the result is whatever the service produces and is converted after download.
  return { id, aspectRatios: xingchaoAspectRatios, resolutions, outputFormats: [] };
}

/** What Xingchao accepts; 2K and 4K exist only on the two `pro` models. */
export const xingchaoCapabilities: ProviderCapabilities = {
  displayName: 'Xingchao',
  models: [
    model('nano-banana-pro', ['1K', '2K', '4K']),
    model('nano-banana-pro-stable', ['1K', '2K', '4K']),
    model('nano-banana-2', ['1K']),
    model('nano-banana-2-stable', ['1K']),
    model('nano-banana', ['1K']),
  ],
  // Our choice: the only family that offers every resolution tier, and the one this bot is named for.
  defaultModel: 'nano-banana-pro',
  // Assumption: the docs give no prompt limit; 4,000 characters is our own cap.
  maxPromptLength: 4000,
  references: {
    maxCount: 6,
    // URLs only: the service downloads them itself, so no per-file size is ours to check;
    // this cap just bounds the bytes we would ever hold for one.
    maxBytesPerFile: 31_457_280,
    mimeTypes: ['image/jpeg', 'image/png', 'image/webp'],
    acceptsUrls: true,
    acceptsFiles: false,
  },
  limitContext: '',
  completion: 'async',
  typicalSeconds: nanoBananaTypicalSeconds,
};

/**
 * Seed 001 documents no error statuses at all (only Bearer authentication and a task id on
 * success), so only the statuses whose HTTP meaning is a refusal before any work count as "not
 * accepted": 401 (the key was not accepted), 402 (payment required) and 429 (too many requests).
 * Any 5xx may follow a created task. Costs and refunds are not documented.
 */
export const xingchaoTerms: ProviderTerms = { notAcceptedStatuses: [401, 402, 429], refundsFailedTasks: false };

/** Creates the Xingchao provider. */
export function createXingchaoProvider(options: ProviderClientOptions): ImageProvider {
  const clock = options.clock ?? systemClock;
  const http = createProviderHttp('xingchao', options);

  async function submit(request: ProviderRequest, signal?: AbortSignal): Promise<SubmitOutcome> {
    // Throws before any request when a reference exists only as bytes: the service takes URLs only.
    const urls = urlsOf(planReferences('xingchao', request.references, xingchaoCapabilities.references));
    const body = {
      model: request.model,
      prompt: request.prompt,
      resolution: request.resolution.toLowerCase(),
      ...(request.aspectRatio === undefined ? {} : { size: request.aspectRatio }),
      ...(urls.length > 0 ? { image_urls: urls } : {}),
    };
    const answer = await http.send({
      method: 'POST',
      path: '/v1/banana/images',
      body,
      ...(signal === undefined ? {} : { signal }),
      timeoutMs: options.createTimeoutMs ?? createTimeoutMs,
    });
    const object = unwrap(answer.body);
    const taskId = readId(object, 'id') ?? readId(object, 'task_id');
    if (taskId === undefined) throw unexpectedShape('xingchao', 'no task id in the create answer', answer.status);
    return { kind: 'task', task: newTaskHandle('xingchao', taskId, request.model, clock), hint: documentedPollHint };
  }

  async function poll(task: TaskHandle, signal?: AbortSignal): Promise<PollOutcome> {
    const answer = await http.send({
      method: 'GET',
      path: `/v1/result/${encodeURIComponent(task.taskId)}`,
      ...(signal === undefined ? {} : { signal }),
      timeoutMs: options.pollTimeoutMs ?? defaultPollTimeoutMs,
    });
    // The result shape is not published for this service (only the sister docs of the same
    // backend describe one), so the reader is tolerant: the task may come bare or wrapped in
    // `data`, the image as `image_url`, `data[].url` or `results[].url`, and success or failure
    // under several spellings.
    const object = unwrap(answer.body);
    const status = readString(object, 'status')?.toLowerCase();
    if (status === undefined) throw unexpectedShape('xingchao', 'a task without a status', answer.status);
    const progress = readProgress(object);

    if (status === 'completed' || status === 'succeeded' || status === 'success') {
      const urls = resultUrls(object);
      if (urls.length === 0) {
        return { status: 'failed', error: taskFailure('xingchao', 'the task finished without an image', options.apiKey) };
      }
      return { status: 'succeeded', images: imagesFromUrls(urls.map(http.absoluteUrl)) };
    }
    if (status === 'failed' || status === 'fail' || status === 'error') {
      return { status: 'failed', error: taskFailure('xingchao', describeProviderMessage(object), options.apiKey) };
    }
    return {
      status: 'pending',
      phase: status === 'queued' ? 'queued' : 'running',
      ...(progress === undefined ? {} : { progress }),
      hint: documentedPollHint,
    };
  }

  return { id: 'xingchao', capabilities: xingchaoCapabilities, terms: xingchaoTerms, submit, poll };
}

/** The task object, whether it arrives bare or inside a `{data: {...}}` envelope. */
function unwrap(body: unknown): Record<string, unknown> | undefined {
  const object = asObject(body);
  const inner = asObject(object?.data);
  if (object !== undefined && readString(object, 'status') === undefined && readString(inner, 'status') !== undefined) {
    return inner;
  }
  return object;
}

function resultUrls(object: Record<string, unknown> | undefined): string[] {
  const single = readString(object, 'image_url');
  const urls = [
    ...(single === undefined ? [] : [single]),
    ...readUrlList(object, 'image_urls'),
    ...readUrlList(object, 'data'),
    ...readUrlList(object, 'results'),
  ];
  return [...new Set(urls)];
}
