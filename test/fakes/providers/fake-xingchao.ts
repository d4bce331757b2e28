// A local Xingchao: JSON POST /v1/banana/images creates a task, GET /v1/result/{id} reports it (shape switchable).
import type { ServerResponse } from 'node:http';
import { sendJson, type RecordedRequest } from './fake-http-server.ts';
import { Problems, startFakeProvider, type FakeContext, type FakeProvider, type FakeProviderOptions } from './fake-provider-base.ts';
import { TaskBook, type FakeTask } from './fake-tasks.ts';

/**
 * The result answer is not published, so the fake can speak each shape the client must tolerate:
 * where the image URL sits, which words mean done and failed, and an optional `{data: ...}` envelope.
 */
export interface XingchaoPollShape {
  imageField: 'image_url' | 'data' | 'results';
  doneStatus: 'completed' | 'succeeded' | 'success';
  failedStatus: 'failed' | 'fail' | 'error';
  envelope: boolean;
}

export interface FakeXingchaoOptions extends FakeProviderOptions {
  pollShape?: Partial<XingchaoPollShape>;
}

export interface FakeXingchao extends FakeProvider {
  setPollShape(shape: Partial<XingchaoPollShape>): void;
}

const models = ['nano-banana', 'nano-banana-2', 'nano-banana-pro', 'nano-banana-2-stable', 'nano-banana-pro-stable'];
const proModels = ['nano-banana-pro', 'nano-banana-pro-stable'];
const sizes = ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3', '5:4', '4:5', '21:9'];
const defaultShape: XingchaoPollShape = { imageField: 'image_url', doneStatus: 'completed', failedStatus: 'failed', envelope: false };

function validate(body: Record<string, unknown>, problems: Problems): void {
  problems.onlyFields(Object.keys(body), ['model', 'prompt', 'resolution', 'size', 'image_urls']);
  problems.oneOf('model', body.model, models, true);
  if (typeof body.prompt !== 'string' || body.prompt.trim() === '') problems.add('prompt is required');
  problems.oneOf('resolution', body.resolution, ['1k', '2k', '4k']);
  if ((body.resolution === '2k' || body.resolution === '4k') && !proModels.includes(String(body.model))) {
    problems.add(`resolution ${String(body.resolution)} is only supported by nano-banana-pro and nano-banana-pro-stable`);
  }
  problems.oneOf('size', body.size, sizes);
  const urls = body.image_urls;
  if (urls !== undefined) {
    if (!Array.isArray(urls) || !urls.every((url) => typeof url === 'string' && /^https?:\/\//.test(url))) {
      problems.add('image_urls must be an array of image URLs');
    } else if (urls.length > 6) {
      problems.add('image_urls accepts at most 6 images');
    }
  }
}

/** Starts a fake Xingchao on 127.0.0.1. */
export async function startFakeXingchao(options: FakeXingchaoOptions = {}): Promise<FakeXingchao> {
  let shape: XingchaoPollShape = { ...defaultShape, ...options.pollShape };
  const tasks = new TaskBook<{ model: string }>('nb-');
  // Assumption: the error body is not published; an OpenAI-style `{error: {message, type}}` is used.
  const errorBody = (_status: number, code: string, message: string) => ({ error: { message, type: code } });

  function create(request: RecordedRequest, response: ServerResponse, context: FakeContext): void {
    if (request.bodyKind !== 'json') {
      sendJson(response, 400, errorBody(400, 'invalid_request_error', 'the body must be application/json'));
      return;
    }
    const body = (request.json ?? {}) as Record<string, unknown>;
    const problems = new Problems();
    validate(body, problems);
    if (problems.first !== undefined) {
      sendJson(response, 400, errorBody(400, 'invalid_request_error', problems.first));
      return;
    }
    const { behaviour, message } = context.faults.takeTaskBehaviour();
    const task = tasks.create({ model: String(body.model) }, context.timing, behaviour, message);
    sendJson(response, 200, { id: task.id, object: 'nanobanana', created: Math.floor(task.createdAt / 1000), model: task.extra.model, status: 'queued' });
  }

  function resultFields(task: FakeTask<{ model: string }>, context: FakeContext): Record<string, unknown> {
    const url = context.resultUrl(task.id);
    if (shape.imageField === 'image_url') return { image_url: url };
    return { [shape.imageField]: [{ url }] };
  }

  function result(request: RecordedRequest, response: ServerResponse, context: FakeContext): void {
    const task = tasks.get(decodeURIComponent(request.path.slice('/v1/result/'.length)));
    if (task === undefined) {
      sendJson(response, 404, errorBody(404, 'not_found', 'task not found'));
      return;
    }
    const view = tasks.view(task);
    const status = { queued: 'queued', running: 'processing', succeeded: shape.doneStatus, failed: shape.failedStatus }[view.state];
    const answer = {
      id: task.id,
      object: 'nanobanana',
      created: Math.floor(task.createdAt / 1000),
      model: task.extra.model,
      status,
      progress: view.progress,
      ...(view.state === 'succeeded' ? resultFields(task, context) : {}),
      ...(view.state === 'failed' ? { error: task.failureMessage ?? 'image generation failed' } : {}),
    };
    sendJson(response, 200, shape.envelope ? { code: 200, data: answer } : answer);
  }

  const fake = await startFakeProvider(
    {
      // The public base URL has this prefix; serving under it checks that clients keep it.
      pathPrefix: '/kyyReactApiServer',
      errorBody,
      route(request, context) {
        if (request.method === 'POST' && request.path === '/v1/banana/images') {
          return { endpoint: 'create', handle: (received, response) => create(received, response, context) };
        }
        if (request.method === 'GET' && request.path.startsWith('/v1/result/')) {
          return { endpoint: 'poll', handle: (received, response) => result(received, response, context) };
        }
        return undefined;
      },
    },
    options,
  );
  return Object.assign(fake, {
    setPollShape: (next: Partial<XingchaoPollShape>) => void (shape = { ...defaultShape, ...next }),
  }) as FakeXingchao;
}
