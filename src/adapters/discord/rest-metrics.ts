// Counts discord.js REST calls and their 429s for /metrics, by method and route template: ids and tokens never reach a label.
import type { Client } from 'discord.js';
import type { PlatformMetrics } from '../../core/bot-metrics.ts';

/** Path segments kept as they are: Discord's own words (`channels`, `messages`, `@original`) and discord.js's placeholders. */
const fixedSegment = /^(?:[a-z][a-z-]{0,31}|@[a-z]{1,16}|:[a-z]{1,16})$/;

/**
 * `PATCH /webhooks/:id/:token/messages/@original` from a method and discord.js's bucket route. discord.js
 * already replaces snowflakes and webhook tokens; every other segment that is not a plain word (a short
 * id, an interaction token, an emoji) becomes `:id` too, so no label can ever carry one.
 */
export function restMethodName(method: string, route: string): string {
  const path = route.split('?')[0] ?? '';
  const segments = path.split('/').filter(Boolean).map((segment) => (fixedSegment.test(segment) ? segment : ':id'));
  return `${method.toUpperCase()} /${segments.join('/')}`;
}

/** Reports every REST answer `client` receives (429s included, before discord.js retries them). */
export function watchRestCalls(client: Client, metrics: PlatformMetrics): void {
  // Only the status is read: the response's body belongs to discord.js, which reads it next.
  client.rest.on('response', (request, response) => {
    metrics.platformCall('discord', restMethodName(request.method, request.route), response.status);
  });
}
