// Counts Slack Web API calls and their 429s for /metrics: a fetch wrapper given to every WebClient Bolt creates.
import type { PlatformMetrics } from '../../core/bot-metrics.ts';

/** A Web API method name (`chat.postMessage`, `files.getUploadURLExternal`). */
const methodName = /^[a-z]+(?:\.[a-zA-Z]+)+$/;

/**
 * The method a WebClient request calls: the last path segment when it is a method name. Anything else
 * is the byte upload to the URL `files.getUploadURLExternal` handed out, whose path holds file ids and
 * a signature: it is counted as `file_upload`, never by its path.
 */
export function slackMethodName(url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return 'other';
  }
  const last = path.split('/').filter(Boolean).pop() ?? '';
  return methodName.test(last) ? last : 'file_upload';
}

/** `fetch` that reports each answer's method and status to `metrics` (WebClient's `fetch` option). */
export function countingFetch(metrics: PlatformMetrics, inner: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    metrics.platformCall('slack', slackMethodName(url), response.status);
    return response;
  };
}
