// The token bucket model: Slack's assumed figures, a reserve for outcomes, and a slower pace after 429s.
import { describe, expect, it } from 'vitest';
import { TokenBucketModel } from '../../../src/core/pacing/token-bucket-model.ts';

describe('token bucket model', () => {
  it('lets outcomes use the whole burst but stops decoration at the reserve kept for them', () => {
    const model = new TokenBucketModel({ perMinute: 50, burst: 50, latencyMarginMs: 0 });
    let decorative = 0;
    while (model.delayFor('decorative', 0) === 0) {
      model.spend('decorative', 0);
      decorative += 1;
    }
    // 60 % of the burst for decoration; the other 20 tokens are still there for outcomes.
    expect(decorative).toBe(30);
    let outcomes = 0;
    while (model.delayFor('outcome', 0) === 0) {
      model.spend('outcome', 0);
      outcomes += 1;
    }
    expect(outcomes).toBe(20);
  });

  it('blocks until Retry-After after a 429 and halves its pace, which recovers over minutes', () => {
    const model = new TokenBucketModel({ perMinute: 60, burst: 10, latencyMarginMs: 0 });
    model.rateLimited(3000, 0);
    expect(model.pace).toBe(0.5);
    expect(model.delayFor('outcome', 1000)).toBeGreaterThanOrEqual(2000);
    // At half pace one token takes 2 s: the bucket has one again at Retry-After + a little.
    expect(model.delayFor('outcome', 3000)).toBeLessThanOrEqual(1000);
    model.delayFor('outcome', 10 * 60_000);
    expect(model.pace).toBe(1);
  });
});
