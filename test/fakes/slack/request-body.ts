// Parses what the Slack WebClient sends: url-encoded forms (nested values as JSON text), JSON, or multipart uploads.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** One file part of a multipart body. */
export interface UploadedPart {
  field: string;
  filename: string;
  bytes: Uint8Array;
}

/** A request body reduced to text fields and file parts. */
export interface ParsedBody {
  fields: Record<string, string>;
  files: UploadedPart[];
  /** The body as received, for uploads sent as raw bytes. */
  raw: Buffer;
}

/** Reads the whole body of `message`. */
export async function readRaw(message: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Parses `raw` by its content type. JSON objects are flattened to text fields like a form. */
export async function parseBody(raw: Buffer, headers: IncomingHttpHeaders): Promise<ParsedBody> {
  const contentType = headers['content-type'] ?? '';
  const fields: Record<string, string> = {};
  const files: UploadedPart[] = [];
  if (raw.length === 0) return { fields, files, raw };
  if (contentType.startsWith('multipart/form-data')) {
    const form = await new Request('http://fake.invalid/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: raw,
    }).formData();
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') fields[field] = value;
      else files.push({ field, filename: value.name, bytes: new Uint8Array(await value.arrayBuffer()) });
    }
    return { fields, files, raw };
  }
  if (contentType.startsWith('application/json')) {
    const parsed = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    for (const [key, value] of Object.entries(parsed)) {
      fields[key] = typeof value === 'string' ? value : JSON.stringify(value);
    }
    return { fields, files, raw };
  }
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) fields[key] = value;
  }
  return { fields, files, raw };
}

/** A field the WebClient JSON-encoded (blocks, view, files), parsed back; undefined when absent. */
export function jsonField(fields: Record<string, string>, name: string): unknown {
  const value = fields[name];
  if (value === undefined || value === '') return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
