// The undici agent our own HTTP calls use when none is injected (provider calls, downloads).
import { Agent, type Dispatcher } from 'undici';

let shared: Agent | undefined;

/**
 * A process-wide agent of OUR undici copy. The global dispatcher is not safe to rely on: discord.js
 * bundles another undici major that shares the same global slot, and whichever loads first owns it.
 */
export function defaultDispatcher(): Dispatcher {
  shared ??= new Agent({ keepAliveTimeout: 10_000, connections: 256 });
  return shared;
}
