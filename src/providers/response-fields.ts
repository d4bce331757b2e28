// Careful readers for provider JSON, which arrives as `unknown` and is never trusted to match its documentation.

/** A plain JSON object, or undefined for anything else (arrays included). */
export function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** `object[key]` when it is a non-empty string. */
export function readString(object: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = object?.[key];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** `object[key]` as a string id (providers send ids as strings or numbers). */
export function readId(object: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = object?.[key];
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return readString(object, key);
}

/** `object[key]` when it is a finite number (numeric strings are accepted too). */
export function readNumber(object: Record<string, unknown> | undefined, key: string): number | undefined {
  const value = object?.[key];
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

/** A 0-100 progress value clamped to that range, or undefined. */
export function readProgress(object: Record<string, unknown> | undefined, key = 'progress'): number | undefined {
  const value = readNumber(object, key);
  return value === undefined ? undefined : Math.min(100, Math.max(0, Math.round(value)));
}

/** The `url` of every item in `object[key]` when it is an array of `{url}` objects. */
export function readUrlList(object: Record<string, unknown> | undefined, key: string): string[] {
  const list = object?.[key];
  if (!Array.isArray(list)) return [];
  const urls: string[] = [];
  for (const item of list) {
    if (typeof item === 'string' && item.trim() !== '') urls.push(item);
    const url = readString(asObject(item), 'url');
    if (url !== undefined) urls.push(url);
  }
  return urls;
}

/**
 * The provider's own short explanation from an error or failure body. Providers put it in
 * different places (`message`, `error` as text or `{message}`, `data.error`, `failure_reason`),
 * so each is tried in turn; a bare error code (`bad_request`) is kept only when nothing better exists.
 */
export function describeProviderMessage(body: unknown): string | undefined {
  const object = asObject(body);
  if (object === undefined) return typeof body === 'string' && body.trim() !== '' ? body.trim() : undefined;
  const errorObject = asObject(object.error);
  const data = asObject(object.data);
  const candidates = [
    readString(object, 'message'),
    readString(errorObject, 'message'),
    readString(object, 'failure_reason'),
    readString(object, 'error'),
    readString(data, 'failure_reason'),
    readString(data, 'error'),
    readString(asObject(data?.error), 'message'),
    readString(data, 'message'),
    readString(object, 'detail'),
    readString(errorObject, 'code'),
  ];
  return candidates.find((candidate) => candidate !== undefined)?.trim();
}

/**
 * The provider's short error code (`content_policy_violation`, `bad_request`) from an error or
 * failure body, when it sends one apart from its message: `error` as text beside a `message`
 * (xenodia), `error.code` or `error.type` (OpenAI-style), or a top-level `code`.
 */
export function describeProviderErrorCode(body: unknown): string | undefined {
  const object = asObject(body);
  const errorObject = asObject(object?.error);
  const candidates = [
    readString(object, 'message') === undefined ? undefined : readString(object, 'error'),
    readString(errorObject, 'code'),
    readString(errorObject, 'type'),
    readString(object, 'code'),
  ];
  return candidates.find((candidate) => candidate !== undefined)?.trim();
}
