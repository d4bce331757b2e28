// One fake provider per test and a real client pointed at it, for the provider client tests: set up on demand, closed after each test.
import { Agent } from 'undici';
import { afterAll, afterEach } from 'vitest';

/** What a provider test starts and closes. */
export interface ProviderFixture<Options, Fake, Provider> {
  /** The file's one dispatcher, shared by every client (closed after the file's tests). */
  readonly dispatcher: Agent;
  /** Starts the fake with `options` and a client for it; the fake is closed after the current test. */
  setUp(options: Options): Promise<{ fake: Fake; provider: Provider }>;
}

/**
 * Registers the hooks that close what `setUp` starts; call it inside the test file's `describe`.
 * `connect` builds the client under test for a started fake (its key, base URL and the dispatcher).
 */
export function useProviderFixture<Options, Fake extends { close(): Promise<void> }, Provider>(
  startFake: (options: Options) => Promise<Fake>,
  connect: (fake: Fake, dispatcher: Agent, options: Options) => Provider,
): ProviderFixture<Options, Fake, Provider> {
  let current: Fake | undefined;
  const dispatcher = new Agent();

  afterAll(() => dispatcher.close());

  afterEach(async () => {
    await current?.close();
    current = undefined;
  });

  return {
    dispatcher,
    async setUp(options) {
      const fake = await startFake(options);
      current = fake;
      return { fake, provider: connect(fake, dispatcher, options) };
    },
  };
}
