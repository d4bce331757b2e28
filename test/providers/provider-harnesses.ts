// The table the provider contract suite runs over: how to start each provider against its fake, and read what it received.
import { Agent, type Dispatcher } from 'undici';
import type { ImageProvider } from '../../src/core/provider.ts';
import type { ProviderId } from '../../src/core/request.ts';
import type { ProviderClientOptions } from '../../src/providers/http.ts';
import { createMockProvider } from '../../src/providers/mock.ts';
import { createNbpCloudProvider } from '../../src/providers/nbp-cloud.ts';
import { createNbpNetProvider } from '../../src/providers/nbp-net.ts';
import { createXenodiaProvider } from '../../src/providers/xenodia.ts';
import { createXingchaoProvider } from '../../src/providers/xingchao.ts';
import type { FakeFault } from '../fakes/providers/fake-faults.ts';
import type { RecordedFile, RecordedRequest } from '../fakes/providers/fake-http-server.ts';
import { startFakeNbpCloud, startFakeNbpNet, startFakeXenodia, startFakeXingchao, type FakeProvider } from '../fakes/providers/index.ts';

/** Settings a contract test may ask of a harness. */
export interface HarnessSettings {
  latencyMs: number;
  /** Key the client sends; defaults to the fake's key. */
  clientKey?: string;
  createTimeoutMs?: number;
}

/** A running provider and, when it has one, the fake it talks to. */
export interface HarnessRun {
  provider: ImageProvider;
  fake: FakeProvider | undefined;
  /** The undici dispatcher the client uses; tests download results with it too. */
  dispatcher: Dispatcher;
  close(): Promise<void>;
}

/** One provider under the contract suite. Adding a provider (the offline mock, say) is one entry. */
export interface ProviderHarness {
  id: ProviderId;
  start(settings: HarnessSettings): Promise<HarnessRun>;
  /** Whether reference files (bytes) can be sent; when false the client must refuse them before any request. */
  acceptsFiles: boolean;
  /** Whether `submit` can return a task to poll. */
  polls: boolean;
  /**
   * Fault switches the fake implements; each fault test runs only for harnesses listing it, so a
   * provider without a fake (the offline mock) lists none and still runs the rest of the contract.
   */
  faults: readonly FakeFault[];
  /** The prompt as the provider received it. */
  receivedPrompt(request: RecordedRequest): string | undefined;
  /** Reference URLs as received, in order. */
  receivedUrls(request: RecordedRequest): string[];
  /** Reference files as received, in order. */
  receivedFiles(request: RecordedRequest): RecordedFile[];
}

const allFaults: readonly FakeFault[] = [
  'status400', 'status401', 'status402', 'status429', 'status500', 'status502', 'malformedJson', 'hang', 'taskFails', 'taskNeverFinishes',
];

function jsonField(request: RecordedRequest, name: string): unknown {
  return request.bodyKind === 'json' ? (request.json as Record<string, unknown>)[name] : undefined;
}

function textOrJson(request: RecordedRequest, name: string): string | undefined {
  if (request.bodyKind === 'multipart') return request.fields[name]?.[0];
  const value = jsonField(request, name);
  return typeof value === 'string' ? value : undefined;
}

function asList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.map(String) : [];
}

async function run(fake: FakeProvider, build: (options: ProviderClientOptions) => ImageProvider, settings: HarnessSettings): Promise<HarnessRun> {
  const dispatcher = new Agent();
  const provider = build({
    apiKey: settings.clientKey ?? fake.apiKey,
    baseUrl: fake.baseUrl,
    dispatcher,
    ...(settings.createTimeoutMs === undefined ? {} : { createTimeoutMs: settings.createTimeoutMs }),
  });
  return {
    provider,
    fake,
    dispatcher,
    close: async () => {
      await fake.close();
      await dispatcher.destroy();
    },
  };
}

/** Every real provider, each against its protocol fake. */
export const providerHarnesses: ProviderHarness[] = [
  {
    id: 'xenodia',
    start: async (settings) => run(await startFakeXenodia({ latencyMs: settings.latencyMs }), createXenodiaProvider, settings),
    acceptsFiles: true,
    polls: true,
    faults: allFaults,
    receivedPrompt: (request) => textOrJson(request, 'prompt'),
    receivedUrls: (request) =>
      request.bodyKind === 'multipart'
        ? [...(request.fields['image_input[]'] ?? []), ...(request.fields.image_input ?? [])]
        : asList(jsonField(request, 'image_input')),
    receivedFiles: (request) => request.files,
  },
  {
    id: 'xingchao',
    start: async (settings) => run(await startFakeXingchao({ latencyMs: settings.latencyMs }), createXingchaoProvider, settings),
    acceptsFiles: false,
    polls: true,
    faults: allFaults,
    receivedPrompt: (request) => textOrJson(request, 'prompt'),
    receivedUrls: (request) => asList(jsonField(request, 'image_urls')),
    receivedFiles: (request) => request.files,
  },
  {
    id: 'nbp-cloud',
    start: async (settings) => run(await startFakeNbpCloud({ latencyMs: settings.latencyMs }), createNbpCloudProvider, settings),
    acceptsFiles: true,
    polls: true,
    faults: allFaults,
    receivedPrompt: (request) => textOrJson(request, 'prompt'),
    receivedUrls: (request) =>
      request.bodyKind === 'multipart' ? (request.fields.imageUrl ?? []) : asList(jsonField(request, 'imageUrl')),
    receivedFiles: (request) => request.files,
  },
  {
    id: 'nbp-net',
    start: async (settings) =>
      run(
        await startFakeNbpNet({ latencyMs: settings.latencyMs, plan: 'pro' }),
        (options) => createNbpNetProvider({ ...options, plan: 'pro' }),
        settings,
      ),
    acceptsFiles: true,
    polls: false,
    faults: allFaults,
    receivedPrompt: (request) => textOrJson(request, 'prompt'),
    receivedUrls: (request) => (request.bodyKind === 'multipart' ? (request.fields.image ?? []) : asList(jsonField(request, 'image'))),
    receivedFiles: (request) => request.files,
  },
  {
    // The offline provider has no server: the contract runs through its public behaviour only.
    id: 'mock',
    start: async (settings) => {
      const dispatcher = new Agent();
      return { provider: createMockProvider({ delayMs: settings.latencyMs }), fake: undefined, dispatcher, close: () => dispatcher.destroy() };
    },
    acceptsFiles: true,
    polls: true,
    faults: [],
    receivedPrompt: () => undefined,
    receivedUrls: () => [],
    receivedFiles: () => [],
  },
];
