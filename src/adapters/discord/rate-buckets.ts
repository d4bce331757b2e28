// Which Discord rate-limit bucket a REST call falls in (as the pacer keys it), and the figures assumed until Discord's headers tell.
import type { WindowFigures } from '../../core/pacing/observed-window-model.ts';
import type { Origin } from '../../core/request.ts';
import { restMethodName } from './rest-metrics.ts';
import { interactionUsable } from './status-message.ts';

/** The bucket of the global limit (50 requests a second per bot; interaction endpoints are exempt). */
export const globalBucket = 'global';

/** A REST call's place in Discord's limits. */
export interface DiscordRoute {
  /** Its route bucket by major parameter (`webhook:<app>/<token>`, `channel:<id>`); undefined for routes the pacer does not model. */
  bucket: string | undefined;
  /** Whether it counts against the global limit. */
  global: boolean;
  /** The route without ids or tokens, for logs. */
  template: string;
}

/**
 * Figures assumed before a bucket's first answer (Discord publishes none per route; these are what bots
 * report): 5 per 2 s per interaction token, 5 per 5 s per channel for message create and edit, 50 a
 * second globally. Every answer's X-RateLimit-* headers then replace them.
 */
const assumed: Record<'webhook' | 'channel' | 'global', WindowFigures> = {
  webhook: { limit: 5, windowMs: 2000 },
  channel: { limit: 5, windowMs: 5000 },
  global: { limit: 50, windowMs: 1000 },
};

/** The figures assumed for `bucket` until Discord reports it. */
export function assumedFiguresOf(bucket: string): WindowFigures {
  if (bucket === globalBucket) return assumed.global;
  return bucket.startsWith('webhook:') ? assumed.webhook : assumed.channel;
}

/** Where a call to `path` (under /api/vN, as discord.js reports it) falls. */
export function routeOfPath(method: string, path: string): DiscordRoute {
  const segments = path.split('?')[0]?.split('/').filter(Boolean) ?? [];
  const [first, second, third, fourth] = segments;
  const template = restMethodName(method, path);
  // Interaction callbacks and interaction webhooks are exempt from the global limit; the token is the major parameter.
  if (first === 'interactions') return { bucket: undefined, global: false, template };
  if (first === 'webhooks') return { bucket: second && third ? `webhook:${second}/${third}` : undefined, global: false, template };
  const upper = method.toUpperCase();
  const writesMessages = third === 'messages' && (fourth === undefined ? upper === 'POST' : upper === 'PATCH' || upper === 'DELETE');
  if (first === 'channels' && second && writesMessages) return { bucket: `channel:${second}`, global: true, template };
  return { bucket: undefined, global: true, template };
}

/** The buckets and route of an edit of `origin`'s status message at `now`. */
export interface StatusRoute {
  buckets: string[];
  route: string;
  /** True while the interaction token reaches the message; false once edits go through the channel. */
  throughToken: boolean;
}

/**
 * Where an edit of the job's status message goes now: its interaction token's route while the token lives
 * (a bucket of its own, exempt from the global limit), afterwards the channel's route, shared with every
 * other message in that channel and counted globally. Undefined when neither is known.
 */
export function statusRouteOf(origin: Origin, now: number): StatusRoute | undefined {
  const interaction = origin.interaction;
  if (interaction !== undefined && interactionUsable(origin, now)) {
    return { buckets: [`webhook:${interaction.applicationId}/${interaction.token}`], route: 'PATCH /webhooks/:id/:id/messages/@original', throughToken: true };
  }
  if (origin.channelId === undefined) return undefined;
  return { buckets: [`channel:${origin.channelId}`, globalBucket], route: 'PATCH /channels/:id/messages/:id', throughToken: false };
}
