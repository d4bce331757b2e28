// What the fake Discord remembers about each REST call, so tests can assert on edits and uploads.

/** One uploaded file of a multipart request. */
export interface RecordedFile {
  /** The multipart field name (`files[0]`). */
  field: string;
  filename: string;
  contentType: string;
  data: Uint8Array;
}

/** One REST call as the fake received and answered it. */
export interface RecordedCall {
  method: string;
  /** Decoded path under `/api/v10` (`/webhooks/1/token/messages/@original`). */
  path: string;
  query: URLSearchParams;
  /** True when the request carried `Authorization: Bot …`. */
  botAuth: boolean;
  /** JSON body, or `payload_json` of a multipart body; undefined when there was none. */
  body: Record<string, unknown> | undefined;
  files: RecordedFile[];
  status: number;
  /** `Date.now()` when the request arrived. */
  at: number;
  /** The rate-limit window of its route it was counted in, when its route is limited (see `DiscordRateLimiter`). */
  rateLimitWindow?: string;
}

/** An error Discord would answer with. */
export class DiscordHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}
