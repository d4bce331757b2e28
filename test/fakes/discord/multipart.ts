// Parses the bodies discord.js sends: JSON, or multipart with `files[n]` parts and `payload_json`.
import type { IncomingHttpHeaders } from 'node:http';
import type { RecordedFile } from './records.ts';

export interface ParsedBody {
  json: Record<string, unknown> | undefined;
  files: RecordedFile[];
}

/** Reads a request body the way Discord does; multipart is parsed with the WHATWG `Request`. */
export async function parseBody(raw: Buffer, headers: IncomingHttpHeaders): Promise<ParsedBody> {
  const contentType = headers['content-type'] ?? '';
  if (raw.length === 0) return { json: undefined, files: [] };
  if (contentType.startsWith('multipart/form-data')) {
    const form = await new Request('http://fake.invalid/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: raw,
    }).formData();
    const files: RecordedFile[] = [];
    let json: Record<string, unknown> | undefined;
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') json = JSON.parse(value) as Record<string, unknown>;
        continue;
      }
      files.push({
        field,
        filename: value.name,
        contentType: value.type || 'application/octet-stream',
        data: new Uint8Array(await value.arrayBuffer()),
      });
    }
    return { json, files };
  }
  return { json: JSON.parse(raw.toString('utf8')) as Record<string, unknown>, files: [] };
}
