// Blocked prompts in the core: refused with prompt_blocked before anything is reserved, stored or sent.
import { afterEach, describe, expect, it } from 'vitest';
import { botErrorOf } from '../support/bot-error-of.ts';
import { promptBlocked } from '../../src/core/errors.ts';
import { refusalKind } from '../../src/core/failover.ts';
import { jobStates } from '../../src/core/job-store.ts';
import type { ProviderTerms } from '../../src/core/provider-terms.ts';
import type { GenerationRequest } from '../../src/core/request.ts';
import { createRecordingDelivery } from '../support/recording-delivery.ts';
import { createTestRunner, type TestRunner } from '../support/runner-harness.ts';

const opened: TestRunner[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((harness) => harness.close()));
});

function open(): TestRunner {
  const harness = createTestRunner({ environment: { BLOCKED_TERMS: 'bad, /sec+ret/', QUOTA_DAILY_CREDITS: '5', MOCK_DELAY_MS: '10' } });
  opened.push(harness);
  harness.runner.registerDelivery(createRecordingDelivery());
  return harness;
}

function request(prompt: string): GenerationRequest {
  return {
    prompt,
    references: [],
    resolution: '1K',
    outputFormat: 'png',
    provider: 'mock',
    requester: { platform: 'cli', userId: 'alice' },
    origin: { platform: 'cli', channelId: 'C1' },
  };
}


describe('blocked prompts', () => {
  it('are refused with prompt_blocked naming the rule: no reservation, no job row, balance unchanged', async () => {
    const harness = open();
    const requester = { platform: 'cli' as const, userId: 'alice' };
    for (const [prompt, rule] of [['a bad dog', 'bad'], ['a B.A.D dog', 'bad'], ['the seccccret garden', '/sec+ret/']] as const) {
      const error = await botErrorOf(harness.runner.start(request(prompt), { dedupeKey: `key-${prompt}` }));
      expect(error.code).toBe('prompt_blocked');
      expect(error.retryable).toBe(false);
      expect(error.blockedRule).toBe(rule);
      expect(error.message).toContain(rule);
    }
    expect(await harness.runner.balance(requester)).toMatchObject({ remaining: 5, reserved: 0 });
    expect(await harness.store.listByState(jobStates)).toEqual([]);
  });

  it('let an innocent prompt that merely contains the letters through (badge)', async () => {
    const harness = open();
    const started = await harness.runner.start(request('a shiny badge'));
    expect(started.balance.remaining).toBe(4);
    expect(await harness.store.get(started.jobId)).toBeDefined();
  });

  it('never fail over, like invalid_request', () => {
    expect(refusalKind(promptBlocked('bad'), { notAcceptedStatuses: [400, 401, 402, 429], refundsFailedTasks: true } as ProviderTerms)).toBeUndefined();
  });
});
