// Posts a finished job's image, retrying transient platform failures without ever posting it twice.
import { sleep } from './clock.ts';
import type { Delivery, DeliveryReceipt, JobResult } from './delivery.ts';
import { BotError, toBotError } from './errors.ts';
import type { ExecutionContext } from './job-execution.ts';
import type { JobRecord } from './job-store.ts';

/** Delivers `result`, at most `context.deliveryAttempts` times; a later attempt first looks for an image an earlier one posted. */
export async function deliverOnce(context: ExecutionContext, delivery: Delivery, job: JobRecord, result: JobResult, signal: AbortSignal): Promise<DeliveryReceipt> {
  let lastError: BotError | undefined;
  for (let attempt = 1; attempt <= context.deliveryAttempts; attempt += 1) {
    if (attempt > 1) {
      // The previous attempt may have posted before failing; never post twice, but end the pending message.
      const existing = await delivery.findDelivered?.(job.origin, job.id).catch(() => undefined);
      if (existing) {
        const { image: _posted, ...outcome } = result;
        await delivery.confirmDelivered?.(job.origin, { ...outcome, receipt: existing }).catch((error: unknown) =>
          context.logger.warn({ jobId: job.id, err: error }, 'could not end the pending message of a posted result'),
        );
        return existing;
      }
      await sleep(context.clock, 1000 * 2 ** (attempt - 2), signal);
    }
    context.leases.assertHolds(job.id);
    try {
      return await delivery.deliver(job.origin, result);
    } catch (error) {
      lastError = toBotError(error, 'platform_failed');
      context.logger.warn({ jobId: job.id, attempt, err: error }, 'delivery failed');
      if (!lastError.retryable) break;
    }
  }
  throw lastError ?? new BotError('platform_failed', 'The result could not be posted');
}
