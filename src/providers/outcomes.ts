// Builders for what provider clients return: task handles, finished images, and task failures.
import type { Clock } from '../core/clock.ts';
import { BotError } from '../core/errors.ts';
import type { PollHint, ResultImage, TaskHandle } from '../core/provider.ts';
import type { ProviderId, Resolution } from '../core/request.ts';
import { contentRefusalError } from './content-refusal-error.ts';
import { redact } from './http.ts';

/**
 * Typical Nano Banana Pro generation time per tier, from the publicly reported ranges
 * (15-25 s at 1K, 30-50 s at 2K, 50-90 s at 4K); the scheduler paces polls and deadlines with it.
 */
export const nanoBananaTypicalSeconds: Record<Resolution, number> = { '1K': 20, '2K': 40, '4K': 70 };

/** A handle for a task the provider just created. */
export function newTaskHandle(providerId: ProviderId, taskId: string, model: string, clock: Clock): TaskHandle {
  return { providerId, taskId, model, submittedAt: clock.now() };
}

/** Result URLs as `ResultImage`s. */
export function imagesFromUrls(urls: readonly string[]): ResultImage[] {
  return urls.map((url) => ({ url }));
}

/**
 * The error for a task the provider reports as failed: `content_refused` when its reason (and
 * error code, when the provider sends one) says the content was refused, else `provider_failed`.
 * Not retryable: the provider has judged this exact request, and resubmitting automatically would
 * be charged again; the user decides whether to try once more.
 */
export function taskFailure(providerId: ProviderId, reason: string | undefined, apiKey: string, code?: string): BotError {
  const refusal = contentRefusalError(
    {
      ...(reason === undefined ? {} : { message: redact(reason, apiKey) }),
      ...(code === undefined ? {} : { code: redact(code, apiKey) }),
    },
    { providerOutcome: 'task_failed' },
  );
  if (refusal !== undefined) return refusal;
  const detail = reason === undefined ? 'no reason given' : redact(reason, apiKey);
  return new BotError('provider_failed', `${providerId} could not generate the image: ${detail}`, { retryable: false, providerOutcome: 'task_failed' });
}

/** A hint with only the fields that are present. */
export function pollHint(nextPollInMs: number | undefined, etaSeconds: number | undefined): PollHint | undefined {
  if (nextPollInMs === undefined && etaSeconds === undefined) return undefined;
  return {
    ...(nextPollInMs === undefined ? {} : { nextPollInMs }),
    ...(etaSeconds === undefined ? {} : { etaSeconds }),
  };
}
