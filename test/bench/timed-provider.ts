// Wraps a real provider client to time each submit and poll call, so the report can show where the time goes.
import type { ImageProvider } from '../../src/core/provider.ts';

/** Call durations in milliseconds, in completion order, and how many polls were in flight at most. */
export interface ProviderCallTimes {
  submitMs: number[];
  pollMs: number[];
  /** Reaching POLL_CONCURRENCY means due polls had to wait for a slot at some point. */
  maxPollsInFlight: number;
}

/** The same client with every call timed into `times`; behaviour and results are unchanged. */
export function timeProviderCalls(provider: ImageProvider, times: ProviderCallTimes): ImageProvider {
  let pollsInFlight = 0;
  return {
    id: provider.id,
    capabilities: provider.capabilities,
    async submit(request, signal) {
      const startedAt = performance.now();
      try {
        return await provider.submit(request, signal);
      } finally {
        times.submitMs.push(performance.now() - startedAt);
      }
    },
    async poll(task, signal) {
      const startedAt = performance.now();
      pollsInFlight += 1;
      times.maxPollsInFlight = Math.max(times.maxPollsInFlight, pollsInFlight);
      try {
        return await provider.poll(task, signal);
      } finally {
        pollsInFlight -= 1;
        times.pollMs.push(performance.now() - startedAt);
      }
    },
  };
}
