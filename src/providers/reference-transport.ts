// Decides how each reference image travels to a provider: as an uploaded file or as a URL, never dropped.
import { Blob } from 'node:buffer';
import { FormData } from 'undici';
import { BotError } from '../core/errors.ts';
import { extensionFor, sniffImageType, type ImageMimeType } from '../core/image-type.ts';
import type { ValidatedReference } from '../core/provider.ts';
import type { ProviderId } from '../core/request.ts';

/** A reference sent as a multipart file part. */
export interface FileReference {
  kind: 'file';
  bytes: Uint8Array;
  mimeType: ImageMimeType;
  filename: string;
}

/** A reference the provider fetches itself. */
export interface UrlReference {
  kind: 'url';
  url: string;
}

export type PlannedReference = FileReference | UrlReference;

/**
 * Plans the transport of every reference in order. Bytes go as files when the provider takes
 * files (the chat platforms' URLs expire and may not be public); otherwise the URL is used.
 * A reference that fits neither transport is refused before any request is sent.
 */
export function planReferences(
  providerId: ProviderId,
  references: readonly ValidatedReference[],
  transports: { acceptsFiles: boolean; acceptsUrls: boolean },
): PlannedReference[] {
  return references.map((reference, index) => {
    if (reference.data !== undefined && transports.acceptsFiles) {
      const mimeType = reference.mimeType ?? sniffImageType(reference.data);
      if (mimeType === undefined) {
        throw new BotError('invalid_request', `Reference ${index + 1} is not a PNG, JPEG or WebP image.`);
      }
      const filename = reference.filename ?? `reference-${index + 1}.${extensionFor(mimeType)}`;
      return { kind: 'file', bytes: reference.data, mimeType, filename };
    }
    if (reference.url !== undefined && transports.acceptsUrls) return { kind: 'url', url: reference.url };
    const need = transports.acceptsUrls ? 'a public link (URL)' : 'an uploaded file';
    throw new BotError(
      'invalid_request',
      `Reference ${index + 1} cannot be sent to ${providerId}: it only accepts reference images as ${need}.`,
    );
  });
}

/** The URLs among planned references, in order. */
export function urlsOf(planned: readonly PlannedReference[]): string[] {
  return planned.flatMap((reference) => (reference.kind === 'url' ? [reference.url] : []));
}

/** True when at least one reference must be uploaded, which forces a multipart body. */
export function needsMultipart(planned: readonly PlannedReference[]): boolean {
  return planned.some((reference) => reference.kind === 'file');
}

/** The file part's value: a typed Blob, so the part carries the sniffed content type. */
export function fileBlob(reference: FileReference): Blob {
  return new Blob([reference.bytes], { type: reference.mimeType });
}

/** The multipart field names a provider uses for reference files and reference URLs. */
export interface MultipartNames {
  file: string;
  url: string;
}

/**
 * A multipart body: every defined scalar field as text (multipart carries text only, so booleans and
 * numbers become "true" and "1"), then the references in order under the provider's field names.
 */
export function multipartBody(fields: object, planned: readonly PlannedReference[], names: MultipartNames): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined) form.append(name, String(value));
  }
  for (const reference of planned) {
    if (reference.kind === 'file') form.append(names.file, fileBlob(reference), reference.filename);
    else form.append(names.url, reference.url);
  }
  return form;
}
