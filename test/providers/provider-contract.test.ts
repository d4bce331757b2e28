// The contract every image provider honours, run against each real client talking HTTP to its local fake.
import { afterEach, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../src/core/errors.ts';
import { sniffImageType } from '../../src/core/image-type.ts';
import type { FakeFault, FaultSettings } from '../fakes/providers/fake-faults.ts';
import type { FakeProvider } from '../fakes/providers/fake-provider-base.ts';
import { providerHarnesses, type HarnessRun, type HarnessSettings } from './provider-harnesses.ts';
import {
  botErrorFrom,
  download,
  fileReference,
  providerRequest,
  referenceJpeg,
  referencePng,
  submitAndDrive,
  urlOf,
  urlReference,
} from './provider-test-support.ts';

interface FaultCase {
  fault: FakeFault;
  settings?: FaultSettings;
  code: ErrorCode;
  status: number;
  retryable: boolean;
  retryAfterMs?: number;
  messageIncludes?: string;
}

const faultCases: FaultCase[] = [
  { fault: 'status400', settings: { message: 'invalid aspect ratio' }, code: 'provider_rejected', status: 400, retryable: false, messageIncludes: 'invalid aspect ratio' },
  { fault: 'status400', settings: { message: 'prompt violates the content policy' }, code: 'content_refused', status: 400, retryable: false, messageIncludes: 'Prompt violates the content policy.' },
  { fault: 'status401', code: 'provider_auth', status: 401, retryable: false },
  { fault: 'status402', code: 'provider_billing', status: 402, retryable: false },
  { fault: 'status429', settings: { retryAfter: '3' }, code: 'provider_rate_limited', status: 429, retryable: true, retryAfterMs: 3000 },
  { fault: 'status500', code: 'provider_failed', status: 500, retryable: true },
  { fault: 'status502', code: 'provider_failed', status: 502, retryable: true },
  { fault: 'malformedJson', code: 'provider_failed', status: 200, retryable: true },
];

describe.each(providerHarnesses)('$id provider contract', (harness) => {
  let run: HarnessRun | undefined;

  afterEach(async () => {
    await run?.close();
    run = undefined;
  });

  /** Starts the provider; `fake` is undefined for providers without one (assertions on it are then skipped). */
  async function start(settings: Partial<HarnessSettings> = {}): Promise<HarnessRun> {
    run = await harness.start({ latencyMs: 40, ...settings });
    return run;
  }

  /** Starts a provider whose fake must exist (tests registered only for harnesses listing the fault they use). */
  async function startWithFake(settings: Partial<HarnessSettings> = {}): Promise<HarnessRun & { fake: FakeProvider }> {
    const started = await start(settings);
    if (started.fake === undefined) throw new Error(`${harness.id} lists fault switches but has no fake`);
    return started as HarnessRun & { fake: FakeProvider };
  }

  const supports = (fault: FakeFault) => harness.faults.includes(fault);

  it('declares coherent capabilities as data', async () => {
    const { provider } = await start();
    const { capabilities } = provider;
    expect(provider.id).toBe(harness.id);
    expect(capabilities.models.map((model) => model.id)).toContain(capabilities.defaultModel);
    for (const model of capabilities.models) {
      expect(model.aspectRatios.length).toBeGreaterThan(0);
      expect(model.resolutions).toContain('1K');
    }
    expect(capabilities.references.acceptsFiles).toBe(harness.acceptsFiles);
    expect(capabilities.references.maxCount).toBeGreaterThan(0);
    expect(capabilities.maxPromptLength).toBeGreaterThanOrEqual(1000);
    expect(capabilities.typicalSeconds['4K']).toBeGreaterThanOrEqual(capabilities.typicalSeconds['1K']);
    expect(capabilities.completion === 'sync').toBe(!harness.polls);
  });

  it('generates from a text prompt, sending the bearer key on every call, and the result URL serves a real PNG', async () => {
    const { provider, fake, dispatcher } = await start();
    const driven = await submitAndDrive(provider, providerRequest(provider.capabilities.defaultModel));
    expect(driven.final.status).toBe('succeeded');
    if (driven.final.status !== 'succeeded') return;
    expect(driven.final.images).toHaveLength(1);
    const image = driven.final.images[0]!;
    if ('url' in image) {
      const result = await download(urlOf(image), dispatcher);
      expect(result.status).toBe(200);
      expect(sniffImageType(result.bytes)).toBe('image/png');
    } else {
      expect(sniffImageType(image.data)).toBe(image.mimeType);
    }

    if (fake === undefined) return;
    const calls = fake.apiRequests();
    expect(calls.length).toBeGreaterThanOrEqual(1);
    for (const call of calls) expect(call.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    const create = calls[0]!;
    expect(create.bodyKind).toBe('json');
    expect(harness.receivedPrompt(create)).toBe('A banana astronaut on the moon');
    expect(harness.receivedUrls(create)).toEqual([]);
  });

  it('sends URL references in order, as JSON, without uploading anything', async () => {
    const { provider, fake } = await start();
    const urls = ['https://cdn.example.com/a.png', 'https://cdn.example.com/b.jpg'];
    const driven = await submitAndDrive(
      provider,
      providerRequest(provider.capabilities.defaultModel, { references: urls.map(urlReference) }),
    );
    expect(driven.final.status).toBe('succeeded');
    if (fake === undefined) return;
    const create = fake.apiRequests()[0]!;
    expect(create.bodyKind).toBe('json');
    expect(harness.receivedUrls(create)).toEqual(urls);
    expect(harness.receivedFiles(create)).toEqual([]);
  });

  if (harness.acceptsFiles) {
    it('uploads byte references as multipart files with their exact bytes, next to URL references', async () => {
      const { provider, fake } = await start();
      const png = await referencePng();
      const jpeg = await referenceJpeg();
      const references = [
        fileReference(png, 'image/png', 'sketch.png'),
        urlReference('https://cdn.example.com/style.webp'),
        fileReference(jpeg, 'image/jpeg'),
      ];
      const driven = await submitAndDrive(provider, providerRequest(provider.capabilities.defaultModel, { references }));
      expect(driven.final.status).toBe('succeeded');
      if (fake === undefined) return;
      const create = fake.apiRequests()[0]!;
      expect(create.bodyKind).toBe('multipart');
      expect(create.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
      expect(harness.receivedPrompt(create)).toBe('A banana astronaut on the moon');
      expect(harness.receivedUrls(create)).toEqual(['https://cdn.example.com/style.webp']);
      const files = harness.receivedFiles(create);
      expect(files.map((file) => file.sniffedType)).toEqual(['image/png', 'image/jpeg']);
      expect(files.map((file) => file.declaredType)).toEqual(['image/png', 'image/jpeg']);
      expect(Buffer.from(files[0]!.bytes).equals(Buffer.from(png))).toBe(true);
      expect(Buffer.from(files[1]!.bytes).equals(Buffer.from(jpeg))).toBe(true);
      expect(files[0]!.filename).toBe('sketch.png');
    });
  } else {
    it('refuses a byte-only reference before sending anything, and sends the URL of a reference that has both', async () => {
      const { provider, fake } = await start();
      const png = await referencePng();
      const error = await botErrorFrom(
        provider.submit(providerRequest(provider.capabilities.defaultModel, { references: [fileReference(png, 'image/png')] })),
      );
      expect(error.code).toBe('invalid_request');
      expect(error.message).toMatch(/URL/);
      if (fake !== undefined) expect(fake.apiRequests()).toHaveLength(0);

      const both = { ...fileReference(png, 'image/png'), url: 'https://cdn.example.com/both.png' };
      await provider.submit(providerRequest(provider.capabilities.defaultModel, { references: [both] }));
      if (fake !== undefined) expect(harness.receivedUrls(fake.apiRequests()[0]!)).toEqual(['https://cdn.example.com/both.png']);
    });
  }

  if (harness.polls) {
    it('polls a task to success with progress that never goes back', async () => {
      const { provider } = await start({ latencyMs: 400 });
      const driven = await submitAndDrive(provider, providerRequest(provider.capabilities.defaultModel), { intervalMs: 25 });
      expect(driven.submitted.kind).toBe('task');
      if (driven.submitted.kind === 'task') {
        expect(driven.submitted.task.providerId).toBe(harness.id);
        expect(driven.submitted.task.model).toBe(provider.capabilities.defaultModel);
      }
      expect(driven.final.status).toBe('succeeded');
      expect(driven.pending.length).toBeGreaterThan(2);
      const progress = driven.pending.flatMap((outcome) => (outcome.progress === undefined ? [] : [outcome.progress]));
      expect(progress.length).toBeGreaterThan(0);
      expect([...progress].sort((left, right) => left - right)).toEqual(progress);
      expect(progress.at(-1)!).toBeGreaterThan(progress[0]!);
    });

  }

  if (harness.polls && supports('status500')) {
    it('throws a retryable error when one poll fails, and the next poll still works', async () => {
      const { provider, fake } = await startWithFake({ latencyMs: 100 });
      const submitted = await provider.submit(providerRequest(provider.capabilities.defaultModel));
      if (submitted.kind !== 'task') throw new Error('expected a task');
      fake.setFault('status500', { on: 'poll', times: 1 });
      const error = await botErrorFrom(provider.poll(submitted.task));
      expect(error).toMatchObject({ code: 'provider_failed', retryable: true, status: 500 });
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect((await provider.poll(submitted.task)).status).toBe('succeeded');
    });

  }

  if (harness.polls && supports('taskNeverFinishes')) {
    it('keeps a task that never finishes pending', async () => {
      const { provider, fake } = await startWithFake({ latencyMs: 50 });
      fake.setFault('taskNeverFinishes');
      const submitted = await provider.submit(providerRequest(provider.capabilities.defaultModel));
      if (submitted.kind !== 'task') throw new Error('expected a task');
      await new Promise((resolve) => setTimeout(resolve, 120));
      for (let attempt = 0; attempt < 3; attempt += 1) {
        expect((await provider.poll(submitted.task)).status).toBe('pending');
      }
    });
  }

  if (!harness.polls) {
    it('answers synchronously after the generation time, and has nothing to poll', async () => {
      const { provider } = await start({ latencyMs: 300 });
      const started = Date.now();
      const outcome = await provider.submit(providerRequest(provider.capabilities.defaultModel));
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(outcome.kind).toBe('completed');
      const error = await botErrorFrom(provider.poll({ providerId: harness.id, taskId: 'x', model: 'x', submittedAt: 0 }));
      expect(error.retryable).toBe(false);
    });
  }

  if (supports('taskFails')) {
    it('reports a failed generation with the provider\'s reason', async () => {
      const { provider, fake } = await startWithFake({ latencyMs: 60 });
      fake.setFault('taskFails', { message: 'the upstream generation failed' });
      if (harness.polls) {
        const driven = await submitAndDrive(provider, providerRequest(provider.capabilities.defaultModel));
        expect(driven.final.status).toBe('failed');
        if (driven.final.status !== 'failed') return;
        expect(driven.final.outcome.error.code).toBe('provider_failed');
        expect(driven.final.outcome.error.message).toContain('the upstream generation failed');
      } else {
        const error = await botErrorFrom(provider.submit(providerRequest(provider.capabilities.defaultModel)));
        expect(error.code).toBe('provider_failed');
        expect(error.message).toContain('the upstream generation failed');
      }
    });
  }

  for (const faultCase of faultCases.filter((candidate) => supports(candidate.fault))) {
    it(`maps ${faultCase.fault} on create to ${faultCase.code}${faultCase.settings?.message ? ` ("${faultCase.settings.message}")` : ''}, sending the create only once`, async () => {
      const { provider, fake } = await startWithFake();
      fake.setFault(faultCase.fault, faultCase.settings);
      const error = await botErrorFrom(provider.submit(providerRequest(provider.capabilities.defaultModel)));
      expect(error.code).toBe(faultCase.code);
      expect(error.status).toBe(faultCase.status);
      expect(error.retryable).toBe(faultCase.retryable);
      if (faultCase.retryAfterMs !== undefined) expect(error.retryAfterMs).toBe(faultCase.retryAfterMs);
      if (faultCase.messageIncludes !== undefined) expect(error.message).toContain(faultCase.messageIncludes);
      expect(error.message).not.toContain(fake.apiKey);
      expect(fake.apiRequests()).toHaveLength(1);
    });
  }

  if (supports('status401')) {
    it('maps a wrong key to provider_auth without echoing the key', async () => {
      const { provider, fake } = await startWithFake({ clientKey: 'sk-wrong-key-123456' });
      const error = await botErrorFrom(provider.submit(providerRequest(provider.capabilities.defaultModel)));
      expect(error).toMatchObject({ code: 'provider_auth', status: 401 });
      expect(error.message).not.toContain('sk-wrong-key-123456');
      expect(fake.apiRequests()[0]!.headers.authorization).toBe('Bearer sk-wrong-key-123456');
    });
  }

  if (supports('hang')) {
    it('gives up on a create that never answers with provider_timeout, and honours an abort signal', async () => {
      const { provider, fake } = await startWithFake({ createTimeoutMs: 200 });
      fake.setFault('hang');
      const timedOut = await botErrorFrom(provider.submit(providerRequest(provider.capabilities.defaultModel)));
      expect(timedOut.code).toBe('provider_timeout');

      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const cancelled = await botErrorFrom(provider.submit(providerRequest(provider.capabilities.defaultModel), controller.signal));
      expect(cancelled.code).toBe('cancelled');
      expect(fake.apiRequests()).toHaveLength(2);
    });
  }
});
