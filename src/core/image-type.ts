// Decides what an image is from its first bytes (magic numbers), never from a name or a declared type.

export const imageMimeTypes = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type ImageMimeType = (typeof imageMimeTypes)[number];

const extensionByMime: Record<ImageMimeType, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
};

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((value, index) => bytes[offset + index] === value);
}

/** The image type of `bytes`, or undefined when they are not PNG, JPEG or WebP. */
export function sniffImageType(bytes: Uint8Array): ImageMimeType | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  // RIFF....WEBP
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) {
    return 'image/webp';
  }
  return undefined;
}

/** Short human label for messages ("PNG", "JPEG", "WebP"). */
export function describeMimeType(mimeType: ImageMimeType): string {
  return mimeType === 'image/png' ? 'PNG' : mimeType === 'image/jpeg' ? 'JPEG' : 'WebP';
}

/** File extension (without dot) for a sniffed type. */
export function extensionFor(mimeType: ImageMimeType): string {
  return extensionByMime[mimeType];
}

/** Best-effort description of non-image bytes for error messages ("a PDF document", "HTML"). */
export function describeNonImage(bytes: Uint8Array): string {
  const head = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart().toLowerCase();
  if (head.startsWith('%pdf')) return 'a PDF document';
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) return 'an HTML page';
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38])) return 'a GIF (only PNG, JPEG and WebP are accepted)';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return 'a ZIP archive';
  if (bytes.length === 0) return 'an empty file';
  return 'not a PNG, JPEG or WebP image';
}
