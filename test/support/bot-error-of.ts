// Awaits an action that must be refused and hands back the BotError, for tests that check its code and message.
import { BotError } from '../../src/core/errors.ts';

/** Awaits `action` and returns the BotError it threw, failing the test when it threw something else or nothing. */
export async function botErrorOf(action: Promise<unknown>): Promise<BotError> {
  try {
    await action;
  } catch (error) {
    if (error instanceof BotError) return error;
    throw error;
  }
  throw new Error('expected a BotError');
}
