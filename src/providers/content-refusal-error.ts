// Turns a provider's refusal of the content itself into a `content_refused` error; technical failures keep their own codes.
import { describeContentRefusal, isContentRefusal } from '../core/content-refusal.ts';
import { BotError, type ProviderOutcome } from '../core/errors.ts';

/** What a provider said about a failure, as read from its error body or failed task. */
export interface ProviderFailureText {
  /** The provider's short error code (`content_policy_violation`), when it sent one apart from its message; already redacted. */
  code?: string | undefined;
  /** The provider's own explanation; already redacted. */
  message?: string | undefined;
}

/** What the caller knows about the answer that carried the refusal. */
export interface ContentRefusalContext {
  /** HTTP status of a refused create call. */
  status?: number;
  /** `task_failed` for a failed task, so a provider that refunds failed tasks is still credited. */
  providerOutcome?: ProviderOutcome;
}

/**
 * A `content_refused` error when the provider's code or message says the content was refused, else
 * undefined. The classifier reads code and message together, since either may carry the sign; the
 * error's message is the reason in plain words (the message when it speaks of the refusal itself,
 * else the code), because adapters show it to the user as it is.
 */
export function contentRefusalError(failure: ProviderFailureText, context: ContentRefusalContext = {}): BotError | undefined {
  const joined = [failure.code, failure.message].filter((part) => part !== undefined && part.trim() !== '').join(' ');
  if (!isContentRefusal(joined)) return undefined;
  const telling = isContentRefusal(failure.message) ? failure.message : isContentRefusal(failure.code) ? failure.code : joined;
  return new BotError('content_refused', describeContentRefusal(telling), {
    retryable: false,
    ...(context.status === undefined ? {} : { status: context.status }),
    ...(context.providerOutcome === undefined ? {} : { providerOutcome: context.providerOutcome }),
  });
}
