// Delivers payloads to an HTTP-mode app the way Slack does: encoded per kind and signed with v0 HMAC-SHA256.
import { createHmac } from 'node:crypto';
import type { EnvelopeType } from './socket-mode.ts';

/** Slack's request signature: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}`. */
export function slackSignature(signingSecret: string, timestampSeconds: number, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${body}`).digest('hex')}`;
}

/** How a delivery is signed (or mis-signed) and marked as a retry. */
export interface SignedPostOptions {
  signingSecret: string;
  /** Defaults to now; older than 5 minutes must be refused by the app. */
  timestampSeconds?: number;
  /** Signs with a wrong secret, as a forger would. */
  forgeSignature?: boolean;
  /** Sets `X-Slack-Retry-Num` / `X-Slack-Retry-Reason` like a redelivered event. */
  retryNum?: number;
  retryReason?: string;
}

/** The app's HTTP answer to one delivery. */
export interface HttpDelivery {
  status: number;
  elapsedMs: number;
  /** Parsed JSON answer (a slash command's ephemeral text), undefined for an empty body. */
  payload: Record<string, unknown> | undefined;
}

/** Encodes a payload the way Slack posts each kind: commands as a form, events as JSON, interactions as `payload=`. */
export function encodePayload(type: EnvelopeType, payload: Record<string, unknown>): { body: string; contentType: string } {
  if (type === 'events_api') return { body: JSON.stringify(payload), contentType: 'application/json' };
  if (type === 'interactive') {
    return { body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), contentType: 'application/x-www-form-urlencoded' };
  }
  const fields = Object.fromEntries(Object.entries(payload).map(([key, value]) => [key, String(value)]));
  return { body: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' };
}

/** POSTs `payload` to the app's request URL with Slack's signature headers. */
export async function postSigned(
  url: string,
  type: EnvelopeType,
  payload: Record<string, unknown>,
  options: SignedPostOptions,
): Promise<HttpDelivery> {
  const { body, contentType } = encodePayload(type, payload);
  const timestamp = options.timestampSeconds ?? Math.floor(Date.now() / 1000);
  const secret = options.forgeSignature ? `${options.signingSecret}-forged` : options.signingSecret;
  const headers: Record<string, string> = {
    'content-type': contentType,
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(secret, timestamp, body),
  };
  if (options.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(options.retryNum);
    headers['x-slack-retry-reason'] = options.retryReason ?? 'http_timeout';
  }
  const startedAt = Date.now();
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  let parsed: Record<string, unknown> | undefined;
  if (text.trim().startsWith('{')) parsed = JSON.parse(text) as Record<string, unknown>;
  return { status: response.status, elapsedMs: Date.now() - startedAt, payload: parsed };
}
