// A local Xenodia: POST /v1/images/generations (sync 200 or 202 task) and GET /v1/tasks/{id}, as documented.
import type { ServerResponse } from 'node:http';
import { sendJson, type RecordedFile, type RecordedRequest } from './fake-http-server.ts';
import { Problems, startFakeProvider, type FakeContext, type FakeProvider, type FakeProviderOptions } from './fake-provider-base.ts';
import { TaskBook, type SteeredState, type TaskTimingRecord } from './fake-tasks.ts';

/**
 * How the fake treats `async`: `documented` follows the request (seed: sync by default), `alwaysTask`
 * answers 202 even to sync requests (newer docs), `alwaysSync` answers 200 even to async ones.
 */
export type XenodiaFakeMode = 'documented' | 'alwaysTask' | 'alwaysSync';

export interface FakeXenodiaOptions extends FakeProviderOptions {
  mode?: XenodiaFakeMode;
  /** `recommended_poll_interval_ms` in task answers (default 1000). */
  recommendedPollIntervalMs?: number;
}

export interface FakeXenodia extends FakeProvider {
  setMode(mode: XenodiaFakeMode): void;
  /** Every task's creation, finish and status reads (the benchmark's ground truth). */
  taskTimings(): TaskTimingRecord[];
  /** Pins task `id` to a state until steered again; `undefined` hands it back to its timing. */
  steerTask(id: string, state: SteeredState | undefined): void;
  /** While on, new tasks stay queued at the provider until steered. */
  holdNewTasks(hold: boolean): void;
  /** Ids of every task created so far, oldest first. */
  taskIds(): string[];
}

const scalarFields = ['model', 'prompt', 'n', 'async', 'response_format', 'aspect_ratio', 'resolution', 'output_format'];
const urlFields = ['image_input', 'image_input[]'];
const fileFields = ['image', 'image[]'];
const aspectRatios = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9', 'auto'];
const acceptedMime = ['image/jpeg', 'image/png', 'image/webp'];
const maxFileBytes = 31_457_280;

/** The request after JSON or multipart decoding, with the types the schema defines. */
interface Decoded {
  values: Record<string, unknown>;
  urls: string[];
  files: RecordedFile[];
}

function decode(request: RecordedRequest, problems: Problems): Decoded | undefined {
  if (request.bodyKind === 'json') {
    const values = (request.json ?? {}) as Record<string, unknown>;
    problems.onlyFields(Object.keys(values), [...scalarFields, 'image_input']);
    const input = values.image_input;
    if (input !== undefined && !(Array.isArray(input) && input.every((item) => typeof item === 'string'))) {
      problems.add('image_input must be an array of URLs');
    }
    if (values.async !== undefined && typeof values.async !== 'boolean') problems.add('async must be a boolean');
    if (values.n !== undefined && typeof values.n !== 'number') problems.add('n must be an integer');
    return { values, urls: Array.isArray(input) ? (input as string[]) : [], files: [] };
  }
  if (request.bodyKind === 'multipart') {
    problems.onlyFields(Object.keys(request.fields), [...scalarFields, ...urlFields]);
    for (const file of request.files) if (!fileFields.includes(file.field)) problems.add(`unexpected file field: ${file.field}`);
    const values: Record<string, unknown> = {};
    for (const name of scalarFields) {
      const given = request.fields[name];
      if (given === undefined) continue;
      if (given.length > 1) problems.add(`${name} must be given once`);
      values[name] = given[0];
    }
    if (values.async !== undefined) {
      if (values.async !== 'true' && values.async !== 'false') problems.add('async must be true or false');
      values.async = values.async === 'true';
    }
    if (values.n !== undefined) values.n = Number(values.n);
    const urls = urlFields.flatMap((name) => request.fields[name] ?? []);
    return { values, urls, files: request.files };
  }
  problems.add('send application/json or multipart/form-data');
  return undefined;
}

function validate(decoded: Decoded, problems: Problems): void {
  const { values } = decoded;
  if (typeof values.prompt !== 'string' || values.prompt.trim() === '') problems.add('prompt must be a non-empty string');
  if (values.n !== undefined && values.n !== 1) problems.add('only n=1 is supported');
  if (values.response_format !== undefined && values.response_format !== 'url') problems.add('only response_format=url is supported');
  problems.oneOf('aspect_ratio', values.aspect_ratio, aspectRatios);
  problems.oneOf('resolution', values.resolution, ['1K', '2K', '4K']);
  problems.oneOf('output_format', values.output_format, ['png', 'jpg']);
  for (const url of decoded.urls) {
    if (!/^https?:\/\//.test(url)) problems.add(`image_input must be URLs; got ${url.slice(0, 40)}`);
  }
  if (decoded.urls.length + decoded.files.length > 8) problems.add('image_input accepts at most 8 references');
  for (const file of decoded.files) {
    if (file.sniffedType === undefined || !acceptedMime.includes(file.sniffedType)) {
      problems.add(`unsupported reference file type for ${file.filename}; accepted: ${acceptedMime.join(', ')}`);
    }
    if (file.bytes.byteLength > maxFileBytes) problems.add(`reference file ${file.filename} exceeds ${maxFileBytes} bytes`);
  }
}

/** Starts a fake Xenodia on 127.0.0.1. */
export async function startFakeXenodia(options: FakeXenodiaOptions = {}): Promise<FakeXenodia> {
  let mode: XenodiaFakeMode = options.mode ?? 'documented';
  const pollIntervalMs = options.recommendedPollIntervalMs ?? 1000;
  const tasks = new TaskBook<{ model: string }>();
  const errorBody = (_status: number, code: string, message: string) => ({ error: code, message });

  function createTask(request: RecordedRequest, response: ServerResponse, context: FakeContext): void {
    const problems = new Problems();
    const decoded = decode(request, problems);
    if (decoded === undefined) {
      sendJson(response, 400, errorBody(400, 'bad_request', problems.first ?? 'invalid request'));
      return;
    }
    if (decoded.values.model !== 'nano-banana-pro') {
      sendJson(response, 400, errorBody(400, 'unsupported_model', `unsupported model: ${String(decoded.values.model)}`));
      return;
    }
    validate(decoded, problems);
    if (problems.first !== undefined) {
      sendJson(response, 400, errorBody(400, 'bad_request', problems.first));
      return;
    }
    const { behaviour, message } = context.faults.takeTaskBehaviour();
    const asTask = mode === 'alwaysTask' || (mode === 'documented' && decoded.values.async === true);
    if (asTask) {
      const task = tasks.create({ model: 'nano-banana-pro' }, context.timing, behaviour, message);
      sendJson(response, 202, {
        task_id: task.id,
        object: 'task',
        model: 'nano-banana-pro',
        type: 'image',
        state: 'waiting',
        created_at: Math.floor(task.createdAt / 1000),
        poll_url: `/v1/tasks/${task.id}`,
        recommended_poll_interval_ms: pollIntervalMs,
        eta_hint_seconds: Math.ceil(task.durationMs / 1000),
      });
      return;
    }
    // Synchronous: the answer waits for the generation itself.
    const task = tasks.create({ model: 'nano-banana-pro' }, context.timing, behaviour, message);
    if (behaviour === 'neverFinishes') return;
    context.later(() => {
      if (behaviour === 'fails') {
        sendJson(response, 502, errorBody(502, 'image_generation_failed', message ?? 'upstream image generation failed'));
        return;
      }
      sendJson(response, 200, { created: Math.floor(Date.now() / 1000), data: [{ url: context.resultUrl(task.id) }] });
    }, task.durationMs);
  }

  function readTask(request: RecordedRequest, response: ServerResponse, context: FakeContext): void {
    const id = decodeURIComponent(request.path.slice('/v1/tasks/'.length));
    const task = tasks.get(id);
    if (task === undefined) {
      sendJson(response, 404, errorBody(404, 'not_found', 'task not found'));
      return;
    }
    const view = tasks.view(task);
    tasks.noteRead(task, view);
    const state = { queued: 'queuing', running: 'generating', succeeded: 'success', failed: 'fail' }[view.state];
    const finished = view.state === 'succeeded' || view.state === 'failed';
    sendJson(response, 200, {
      task_id: task.id,
      object: 'task',
      model: task.extra.model,
      type: 'image',
      state,
      progress: view.progress,
      created_at: Math.floor(task.createdAt / 1000),
      ...(view.state === 'succeeded' ? { result: { data: [{ url: context.resultUrl(task.id) }] } } : {}),
      ...(view.state === 'failed'
        ? { error: { code: 'image_generation_failed', message: task.failureMessage ?? 'upstream image generation failed' } }
        : {}),
      ...(finished
        ? { completed_at: Math.floor((task.createdAt + task.durationMs) / 1000) }
        : { recommended_poll_interval_ms: pollIntervalMs, eta_hint_seconds: Math.ceil(view.remainingMs / 1000) }),
    });
  }

  const fake = await startFakeProvider(
    {
      errorBody,
      route(request, context) {
        if (request.method === 'POST' && request.path === '/v1/images/generations') {
          return { endpoint: 'create', handle: (received, response) => createTask(received, response, context) };
        }
        if (request.method === 'GET' && request.path.startsWith('/v1/tasks/')) {
          return { endpoint: 'poll', handle: (received, response) => readTask(received, response, context) };
        }
        return undefined;
      },
    },
    options,
  );
  return Object.assign(fake, {
    setMode: (next: XenodiaFakeMode) => void (mode = next),
    taskTimings: () => tasks.timings(),
    steerTask: (id: string, state: SteeredState | undefined) => tasks.steer(id, state),
    holdNewTasks: (hold: boolean) => tasks.holdNewTasks(hold),
    taskIds: () => tasks.ids(),
  }) as FakeXenodia;
}
