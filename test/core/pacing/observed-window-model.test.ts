// The observed window model: Discord's windows as its X-RateLimit-* headers report them, with a reserve for outcomes.
import { describe, expect, it } from 'vitest';
import { ObservedWindowModel } from '../../../src/core/pacing/observed-window-model.ts';

describe('observed window model', () => {
  it('takes the remaining count and reset from the platform, and keeps a reserve of each window for outcomes', () => {
    const model = new ObservedWindowModel({ assumed: { limit: 5, windowMs: 5000 } });
    expect(model.learned).toBe(false);
    model.observe({ limit: 10, remaining: 4, resetAfterMs: 1000 }, 0);
    expect(model.learned).toBe(true);
    // Reserve 10 − ⌊10 × 0.6⌋ = 4: with 4 left, decoration waits for the reset, outcomes do not.
    expect(model.delayFor('decorative', 0)).toBe(1000);
    expect(model.delayFor('outcome', 0)).toBe(0);
    // A new window: all 10 again, of which decoration may take 6.
    let decorative = 0;
    while (model.delayFor('decorative', 1000) === 0) {
      model.spend('decorative', 1000);
      decorative += 1;
    }
    expect(decorative).toBe(6);
  });

  it('waits out a 429 and counts a call sent at the very end of a window in the next one', () => {
    const model = new ObservedWindowModel({ assumed: { limit: 5, windowMs: 1000 }, latencyMarginMs: 250 });
    model.rateLimited(2000, 0);
    expect(model.delayFor('outcome', 500)).toBe(1500);
    model.observe({ limit: 5, remaining: 1, resetAfterMs: 300 }, 2000);
    model.spend('outcome', 2200);
    // The window ended at 2300; the call of 2200 may land after that, so the new window starts with 4.
    let outcomes = 0;
    while (model.delayFor('outcome', 2400) === 0) {
      model.spend('outcome', 2400);
      outcomes += 1;
    }
    expect(outcomes).toBe(4);
  });
});
