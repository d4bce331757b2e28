// Rate-limited calls are logged once a minute per route with counts, not once per call.
import { describe, expect, it } from 'vitest';
import { createRateLimitLog } from '../../../src/core/pacing/rate-limit-log.ts';
import type { Logger } from '../../../src/log.ts';
import { ManualClock } from '../../support/manual-clock.ts';

/** A logger that keeps its warn lines. */
function recordingLogger(lines: Array<{ fields: Record<string, unknown>; message: string }>): Logger {
  return { warn: (fields: Record<string, unknown>, message: string) => lines.push({ fields, message }) } as unknown as Logger;
}

describe('rate-limit log', () => {
  it('logs the first refusal of a route at once, then one summary a minute with the counts', async () => {
    const clock = new ManualClock();
    const lines: Array<{ fields: Record<string, unknown>; message: string }> = [];
    const log = createRateLimitLog({ logger: recordingLogger(lines), clock });
    const refusal = { route: 'chat.update', callClass: 'decorative' as const, handling: 'dropped' as const, retryAfterMs: 1000, answered429: true };
    for (let call = 0; call < 40; call += 1) log.record(refusal);
    log.record({ ...refusal, route: 'chat.postMessage', callClass: 'outcome', handling: 'retried', retryAfterMs: 2000 });
    expect(lines.map((line) => line.fields.route)).toEqual(['chat.update', 'chat.postMessage']);

    await clock.advanceBy(60_000);
    expect(lines).toHaveLength(3);
    expect(lines[2]?.fields).toMatchObject({ route: 'chat.update', calls: 39, answered429: 39, dropped: 39, decorativeCalls: 39 });
    // A quiet minute: nothing more is written.
    await clock.advanceBy(120_000);
    expect(lines).toHaveLength(3);
  });
});
