// A local nano-banana-pro.net: one synchronous POST /api/ai/nano-banana/generate with plan limits.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendJson, type RecordedFile, type RecordedRequest } from './fake-http-server.ts';
import { Problems, startFakeProvider, type FakeContext, type FakeProvider, type FakeProviderOptions } from './fake-provider-base.ts';
import { jitteredLatency } from './fake-tasks.ts';

export type FakeNbpNetPlan = 'free' | 'standard' | 'pro';

export interface FakeNbpNetOptions extends FakeProviderOptions {
  /** The account's plan (default `standard`): reference count, 4K, concurrency. */
  plan?: FakeNbpNetPlan;
  /** Answer 429 beyond the plan's concurrent generations (default off, so benchmarks can flood it). */
  enforceConcurrency?: boolean;
}

export type FakeNbpNet = FakeProvider;

const aspectRatios = ['1:1', '2:3', '3:2', '3:4', '4:3', '9:16', '16:9', '21:9'];
const maxReferences: Record<FakeNbpNetPlan, number> = { free: 3, standard: 8, pro: 14 };
const maxConcurrent: Record<FakeNbpNetPlan, number> = { free: 1, standard: 5, pro: 10 };
// "2.5MB" read as MiB here; the client's cap (2,500,000 bytes) is the stricter reading.
const maxImageBytes = 2.5 * 1024 * 1024;

interface Decoded {
  values: Record<string, unknown>;
  urls: string[];
  files: RecordedFile[];
}

function decode(request: RecordedRequest, problems: Problems): Decoded | undefined {
  if (request.bodyKind === 'json') {
    const values = (request.json ?? {}) as Record<string, unknown>;
    problems.onlyFields(Object.keys(values), ['prompt', 'size', 'aspectRatio', 'image']);
    const image = values.image;
    const urls = typeof image === 'string' ? [image] : Array.isArray(image) ? image.map(String) : [];
    if (image !== undefined && typeof image !== 'string' && !Array.isArray(image)) problems.add('image must be a URL or an array of URLs');
    return { values, urls, files: [] };
  }
  if (request.bodyKind === 'multipart') {
    problems.onlyFields(Object.keys(request.fields), ['prompt', 'size', 'aspectRatio', 'image']);
    for (const file of request.files) if (file.field !== 'image') problems.add(`unexpected file field: ${file.field}`);
    const values: Record<string, unknown> = {};
    for (const [name, given] of Object.entries(request.fields)) if (name !== 'image') values[name] = given[0];
    return { values, urls: request.fields.image ?? [], files: request.files };
  }
  problems.add('Content-Type must be application/json or multipart/form-data');
  return undefined;
}

function validate(decoded: Decoded, plan: FakeNbpNetPlan, problems: Problems): void {
  const { values } = decoded;
  if (typeof values.prompt !== 'string' || values.prompt.trim() === '') problems.add('Prompt is required');
  problems.oneOf('size', values.size, ['1k', '2k', '4k']);
  if (values.size === '4k' && plan === 'free') problems.add('4K generation is not available on the free plan');
  problems.oneOf('aspectRatio', values.aspectRatio, aspectRatios);
  for (const url of decoded.urls) if (!/^https?:\/\//.test(url)) problems.add('image must be an http(s) URL');
  const count = decoded.urls.length + decoded.files.length;
  if (count > maxReferences[plan]) problems.add(`Your plan allows at most ${maxReferences[plan]} reference images`);
  for (const file of decoded.files) {
    if (file.sniffedType === undefined) problems.add(`${file.filename} is not a supported image`);
    if (file.bytes.byteLength > maxImageBytes) problems.add(`${file.filename} exceeds the 2.5MB image limit`);
  }
}

/** Starts a fake nano-banana-pro.net on 127.0.0.1; each answer comes after the configured latency. */
export async function startFakeNbpNet(options: FakeNbpNetOptions = {}): Promise<FakeNbpNet> {
  const plan = options.plan ?? 'standard';
  let inFlight = 0;
  const errorBody = (_status: number, _code: string, message: string) => ({ error: message });

  function generate(request: RecordedRequest, response: ServerResponse, context: FakeContext): void {
    const problems = new Problems();
    const decoded = decode(request, problems);
    if (decoded !== undefined) validate(decoded, plan, problems);
    if (decoded === undefined || problems.first !== undefined) {
      sendJson(response, 400, errorBody(400, 'bad_request', problems.first ?? 'Invalid request parameters'));
      return;
    }
    if (options.enforceConcurrency && inFlight >= maxConcurrent[plan]) {
      sendJson(response, 429, errorBody(429, 'rate_limited', 'Too many concurrent generations for your plan'), { 'retry-after': '5' });
      return;
    }
    const { behaviour, message } = context.faults.takeTaskBehaviour();
    if (behaviour === 'neverFinishes') return;
    inFlight += 1;
    response.once('close', () => void (inFlight = Math.max(0, inFlight - 1)));
    const size = typeof decoded.values.size === 'string' ? decoded.values.size : '1k';
    context.later(() => {
      if (behaviour === 'fails') {
        sendJson(response, 500, errorBody(500, 'generation_failed', message ?? 'Generation failed'));
        return;
      }
      sendJson(response, 200, {
        model: `nano-banana-2-${size}`,
        created: Math.floor(Date.now() / 1000),
        images: [{ url: context.resultUrl(randomUUID()) }],
      });
    }, jitteredLatency(context.timing));
  }

  return startFakeProvider(
    {
      errorBody,
      route(request, context) {
        if (request.method === 'POST' && request.path === '/api/ai/nano-banana/generate') {
          return { endpoint: 'create', handle: (received, response) => generate(received, response, context) };
        }
        return undefined;
      },
    },
    options,
  );
}
