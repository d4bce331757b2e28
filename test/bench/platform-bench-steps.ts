// Steps both platform benchmark runs share: the runner's environment, commands spread over time, waiting for the end.
import type { FakeProviderChild } from './fake-provider-child.ts';

/** The runner's environment: the fake Xenodia, room for every job at once, and enough credits for everyone. */
export function runnerEnvironment(provider: FakeProviderChild): Record<string, string> {
  return {
    PROVIDER: 'xenodia',
    XENODIA_API_KEY: provider.apiKey,
    XENODIA_BASE_URL: provider.baseUrl,
    PROVIDER_MAX_IN_FLIGHT: '1000',
    QUOTA_DAILY_CREDITS: '20',
  };
}

/** Calls `send(index)` for `count` commands spread evenly over `spreadMs`, not waiting for one before the next is due; resolves when all are answered. */
export async function sendSpread(count: number, spreadMs: number, send: (index: number) => Promise<void>): Promise<void> {
  const startedAt = Date.now();
  const sent: Array<Promise<void>> = [];
  for (let index = 0; index < count; index += 1) {
    const due = startedAt + (count <= 1 ? 0 : (index * spreadMs) / count);
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sent.push(send(index));
  }
  await Promise.all(sent);
}

/** Polls `check` every 100 ms until it is true; throws naming `what` after `timeoutMs`. */
export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
