// A local nanobananapro.cloud: POST /api/v1/image/nano-banana (JSON or multipart) and POST .../result.
import type { ServerResponse } from 'node:http';
import { sendJson, type RecordedFile, type RecordedRequest } from './fake-http-server.ts';
import { Problems, startFakeProvider, type FakeContext, type FakeProvider, type FakeProviderOptions } from './fake-provider-base.ts';
import { TaskBook, type FakeTask } from './fake-tasks.ts';

export type FakeNbpCloud = FakeProvider;

const creditsPerModel: Record<string, number> = { 'nano-banana-fast': 5, 'nano-banana': 15, 'nano-banana-pro': 20 };
const aspectRatios = ['auto', '1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'];
const maxFileBytes = 10 * 1024 * 1024;
const textFields = ['prompt', 'model', 'mode', 'aspectRatio', 'imageSize', 'imageUrl', 'imageData'];

interface Decoded {
  values: Record<string, unknown>;
  urls: string[];
  files: RecordedFile[];
}

function decode(request: RecordedRequest, problems: Problems): Decoded | undefined {
  if (request.bodyKind === 'json') {
    const values = (request.json ?? {}) as Record<string, unknown>;
    problems.onlyFields(Object.keys(values), textFields);
    const imageUrl = values.imageUrl;
    const urls = typeof imageUrl === 'string' ? [imageUrl] : Array.isArray(imageUrl) ? imageUrl.map(String) : [];
    if (imageUrl !== undefined && urls.length === 0 && !Array.isArray(imageUrl)) problems.add('imageUrl must be a string or an array of strings');
    return { values, urls, files: [] };
  }
  if (request.bodyKind === 'multipart') {
    problems.onlyFields(Object.keys(request.fields), textFields);
    for (const file of request.files) if (file.field !== 'imageFile') problems.add(`unexpected file field: ${file.field}`);
    const values: Record<string, unknown> = {};
    for (const [name, given] of Object.entries(request.fields)) if (name !== 'imageUrl') values[name] = given[0];
    return { values, urls: request.fields.imageUrl ?? [], files: request.files };
  }
  problems.add('Unsupported content type');
  return undefined;
}

function validate(decoded: Decoded, problems: Problems): void {
  const { values } = decoded;
  if (typeof values.prompt !== 'string' || values.prompt.trim() === '') problems.add('Missing required params: prompt');
  if (values.model === undefined) problems.add('Missing required params: model');
  else if (typeof values.model !== 'string' || !(values.model in creditsPerModel)) problems.add(`Invalid model: ${String(values.model)}`);
  problems.oneOf('mode', values.mode, ['text-to-image', 'image-to-image']);
  problems.oneOf('aspectRatio', values.aspectRatio, aspectRatios);
  problems.oneOf('imageSize', values.imageSize, ['1K', '2K', '4K']);
  const references = decoded.urls.length + decoded.files.length + (values.imageData === undefined ? 0 : 1);
  if (values.mode === 'image-to-image' && references === 0) problems.add('image-to-image requires imageFile or imageUrl');
  // Stricter than the service is known to be: references under text-to-image would likely be ignored.
  if (values.mode !== 'image-to-image' && references > 0) problems.add('reference images need mode=image-to-image');
  if (references > 14) problems.add('At most 14 reference images are supported');
  for (const url of decoded.urls) if (!/^https?:\/\//.test(url)) problems.add('imageUrl must be http(s) URLs');
  for (const file of decoded.files) {
    if (file.sniffedType === undefined) problems.add(`imageFile ${file.filename} is not a PNG, JPEG or WebP image`);
    if (file.bytes.byteLength > maxFileBytes) problems.add(`imageFile ${file.filename} exceeds 10 MB`);
  }
}

/** Starts a fake nanobananapro.cloud on 127.0.0.1. A latency of 0 finishes tasks inside the create call. */
export async function startFakeNbpCloud(options: FakeProviderOptions = {}): Promise<FakeNbpCloud> {
  const tasks = new TaskBook<{ model: string; prompt: string }>('task-');
  // Assumption: the error body is not published; `{error: "message"}` is used.
  const errorBody = (_status: number, _code: string, message: string) => ({ error: message });

  function describe(task: FakeTask<{ model: string; prompt: string }>, context: FakeContext): Record<string, unknown> {
    const view = tasks.view(task);
    const failed = view.state === 'failed';
    const reason = failed ? task.failureMessage ?? 'Image generation failed' : null;
    return {
      data: {
        id: task.id,
        results: view.state === 'succeeded' ? [{ url: context.resultUrl(task.id), content: task.extra.prompt }] : [],
        progress: view.progress,
        status: view.state === 'succeeded' ? 'succeeded' : failed ? 'failed' : 'running',
        failure_reason: reason,
        error: reason,
        credits_cost: creditsPerModel[task.extra.model],
      },
    };
  }

  function create(request: RecordedRequest, response: ServerResponse, context: FakeContext): void {
    const problems = new Problems();
    const decoded = decode(request, problems);
    if (decoded !== undefined) validate(decoded, problems);
    if (decoded === undefined || problems.first !== undefined) {
      sendJson(response, 400, errorBody(400, 'bad_request', problems.first ?? 'Invalid request'));
      return;
    }
    const { behaviour, message } = context.faults.takeTaskBehaviour();
    const task = tasks.create({ model: String(decoded.values.model), prompt: String(decoded.values.prompt) }, context.timing, behaviour, message);
    sendJson(response, 200, describe(task, context));
  }

  function result(request: RecordedRequest, response: ServerResponse, context: FakeContext): void {
    const body = (request.bodyKind === 'json' ? request.json : {}) as Record<string, unknown>;
    const id = body.taskId ?? body.id;
    if (typeof id !== 'string' || id === '') {
      sendJson(response, 400, errorBody(400, 'bad_request', 'Missing task ID'));
      return;
    }
    const task = tasks.get(id);
    if (task === undefined) {
      sendJson(response, 404, errorBody(404, 'not_found', 'Task not found'));
      return;
    }
    sendJson(response, 200, describe(task, context));
  }

  return startFakeProvider(
    {
      errorBody,
      route(request, context) {
        if (request.method !== 'POST') return undefined;
        if (request.path === '/api/v1/image/nano-banana') {
          return { endpoint: 'create', handle: (received, response) => create(received, response, context) };
        }
        if (request.path === '/api/v1/image/nano-banana/result') {
          return { endpoint: 'poll', handle: (received, response) => result(received, response, context) };
        }
        return undefined;
      },
    },
    options,
  );
}
