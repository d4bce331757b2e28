// The call pacer on a manual clock: outcomes first and never dropped, decoration coalesced, fair, dropped when refused or stale.
import { describe, expect, it } from 'vitest';
import { createCallPacer, type CallPacer } from '../../../src/core/pacing/call-pacer.ts';
import { createRateLimitLog } from '../../../src/core/pacing/rate-limit-log.ts';
import type { RateLimitSignal } from '../../../src/core/pacing/rate-model.ts';
import { createRateModels } from '../../../src/core/pacing/rate-models.ts';
import { TokenBucketModel } from '../../../src/core/pacing/token-bucket-model.ts';
import { silentLogger } from '../../../src/log.ts';
import { ManualClock, settle } from '../../support/manual-clock.ts';

/** What the fake platform refused with. */
class RateLimited extends Error {
  constructor(readonly retryAfterMs: number) {
    super('ratelimited');
  }
}

function pacerOn(clock: ManualClock, figures = { perMinute: 60, burst: 10 }): CallPacer {
  return createCallPacer({
    clock,
    models: createRateModels(() => new TokenBucketModel({ ...figures, latencyMarginMs: 0 })),
    rateLimitOf: (error): RateLimitSignal | undefined => (error instanceof RateLimited ? { retryAfterMs: error.retryAfterMs } : undefined),
    limitLog: createRateLimitLog({ logger: silentLogger, clock }),
    minIntervalMs: 1000,
  });
}

/** A decorative edit of `key` recording what it showed. */
function edit(shown: string[], key: string, state: string, fail?: () => Error) {
  return {
    buckets: ['chat.update'],
    route: 'chat.update',
    essential: false,
    send: async () => {
      if (fail) throw fail();
      shown.push(`${key}:${state}`);
    },
  };
}

describe('call pacer', () => {
  it('coalesces: of the states offered while a message waits, only the newest is shown', async () => {
    const clock = new ManualClock();
    const pacer = pacerOn(clock);
    const shown: string[] = [];
    pacer.decorate('a', edit(shown, 'a', '10%'));
    await clock.advanceBy(0);
    pacer.decorate('a', edit(shown, 'a', '20%'));
    pacer.decorate('a', edit(shown, 'a', '30%'));
    await clock.advanceBy(1000);
    expect(shown).toEqual(['a:10%', 'a:30%']);
    expect(pacer.stats().dropped.superseded).toBe(1);
  });

  it('shares a scarce budget round-robin: every message is updated before any is updated twice', async () => {
    const clock = new ManualClock();
    // 6 a minute with no burst to spare beyond the reserve: about one decorative edit every 17 s.
    const pacer = pacerOn(clock, { perMinute: 6, burst: 2 });
    const shown: string[] = [];
    for (let round = 0; round < 3; round += 1) {
      for (const key of ['a', 'b', 'c']) pacer.decorate(key, edit(shown, key, `round ${round}`));
      await clock.advanceBy(20_000);
    }
    await clock.advanceBy(60_000);
    const firstThree = shown.slice(0, 3).map((entry) => entry.split(':')[0]).sort();
    expect(firstThree).toEqual(['a', 'b', 'c']);
  });

  it('sends an outcome ahead of decoration waiting on the same bucket, and drops decoration left stale', async () => {
    const clock = new ManualClock();
    // One a minute: the bucket holds two, the outcome takes the last one, and the next decorative edit would wait ~2 minutes.
    const pacer = pacerOn(clock, { perMinute: 1, burst: 2 });
    const order: string[] = [];
    pacer.decorate('a', edit(order, 'a', 'progress'));
    await clock.advanceBy(0);
    pacer.decorate('b', edit(order, 'b', 'progress'));
    const result = pacer.outcome({ buckets: ['chat.update'], route: 'chat.update', send: async () => void order.push('outcome') });
    await clock.advanceBy(120_000);
    await result;
    expect(order).toEqual(['a:progress', 'outcome']);
    expect(pacer.stats().dropped.stale).toBe(1);
  });

  it('drops a decorative edit the platform refuses, and waits out and resends a refused outcome', async () => {
    const clock = new ManualClock();
    const pacer = pacerOn(clock);
    const shown: string[] = [];
    pacer.decorate('a', edit(shown, 'a', 'progress', () => new RateLimited(5000)));
    await clock.advanceBy(0);
    let attempts = 0;
    const outcome = pacer.outcome({
      buckets: ['chat.update'],
      route: 'chat.update',
      send: async () => {
        attempts += 1;
        if (attempts === 1) throw new RateLimited(3000);
        return 'posted';
      },
    });
    // The refused edit taught the bucket to wait 5 s: the outcome is tried after that, refused once, and sent 3 s later.
    await clock.advanceBy(4000);
    expect(attempts).toBe(0);
    await clock.advanceBy(2000);
    expect(attempts).toBe(1);
    await clock.advanceBy(4000);
    expect(await outcome).toBe('posted');
    expect(attempts).toBe(2);
    expect(shown).toEqual([]);
    expect(pacer.stats()).toMatchObject({ rateLimited: { outcome: 1, decorative: 1 }, dropped: { refused: 1 } });
  });

  it('keeps an essential first post through a refusal and sends it when the platform allows', async () => {
    const clock = new ManualClock();
    const pacer = pacerOn(clock);
    let refusals = 1;
    const posted: string[] = [];
    pacer.decorate('a', {
      buckets: ['chat.postMessage'],
      route: 'chat.postMessage',
      essential: true,
      send: async () => {
        if (refusals-- > 0) throw new RateLimited(2000);
        posted.push('status');
      },
    });
    await clock.advanceBy(0);
    expect(posted).toEqual([]);
    await clock.advanceBy(30_000);
    expect(posted).toEqual(['status']);
  });

  it('settle drops what is queued for a message and waits for its send in flight', async () => {
    const clock = new ManualClock();
    const pacer = pacerOn(clock);
    let release = () => {};
    const shown: string[] = [];
    pacer.decorate('a', {
      buckets: ['chat.update'],
      route: 'chat.update',
      essential: false,
      send: () => new Promise<void>((resolve) => {
        release = () => {
          shown.push('first');
          resolve();
        };
      }),
    });
    await clock.advanceBy(0);
    pacer.decorate('a', edit(shown, 'a', 'second'));
    let settled = false;
    const settling = pacer.settle('a').then(() => {
      settled = true;
    });
    await settle();
    expect(settled).toBe(false);
    release();
    await settling;
    await clock.advanceBy(5000);
    expect(shown).toEqual(['first']);
  });
});
