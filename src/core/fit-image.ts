// Re-encodes images with sharp: to fit a platform's upload limit, or into the output format a user asked for.
import sharp from 'sharp';
import { BotError } from './errors.ts';
import { sniffImageType, type ImageMimeType } from './image-type.ts';
import type { OutputFormat } from './request.ts';
import { formatBytes } from './format.ts';

/** Image bytes with their sniffed type. */
export interface EncodedImage {
  data: Uint8Array;
  mimeType: ImageMimeType;
}

/** The result of `fitImageToLimit`. */
export interface FittedImage extends EncodedImage {
  /** False when the input already fitted and is returned untouched. */
  reencoded: boolean;
}

/** Decoded pixels, so each attempt re-encodes without decoding the source again. */
interface Pixels {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

const jpegQualities = [90, 80, 70, 60] as const;
/** Quality used while downscaling: below it JPEG artefacts cost more than lost pixels do. */
const downscaleQuality = 75;
/** Below this many pixels on the long side an image is no longer worth sending. */
const smallestLongSide = 64;
/** Transparent areas become white when the target format (JPEG) has no alpha channel. */
const jpegBackground = { r: 255, g: 255, b: 255 };

function toBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function requireImageType(data: Uint8Array, purpose: string): ImageMimeType {
  const mimeType = sniffImageType(data);
  if (mimeType === undefined) throw new BotError('internal', `Cannot ${purpose}: the data is not a PNG, JPEG or WebP image`);
  return mimeType;
}

async function decode(data: Uint8Array): Promise<Pixels> {
  // rotate() applies the EXIF orientation, which re-encoding would otherwise drop.
  const { data: pixels, info } = await sharp(data).rotate().raw().toBuffer({ resolveWithObject: true });
  return { data: pixels, width: info.width, height: info.height, channels: info.channels };
}

function fromPixels(pixels: Pixels): sharp.Sharp {
  return sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: pixels.channels } });
}

async function encodeJpeg(image: sharp.Sharp, quality: number): Promise<Buffer> {
  // Plain libjpeg-turbo: mozjpeg saves ~10% but takes over ten times as long on a 4K image.
  return image.flatten({ background: jpegBackground }).jpeg({ quality }).toBuffer();
}

/**
 * Whether lossless PNG recompression is worth its cost (seconds on a 4K image): a well-compressed
 * PNG gains a few percent at most, so only one near the limit or one stored barely compressed
 * (close to its raw pixel size) can come under it.
 */
function recompressionMayFit(byteLength: number, pixels: Pixels, maxBytes: number): boolean {
  const rawBytes = pixels.width * pixels.height * pixels.channels;
  return byteLength <= maxBytes * 1.25 || byteLength >= rawBytes * 0.8;
}

/**
 * Returns `data` unchanged when it is at most `maxBytes`; otherwise re-encodes it until it fits:
 * a PNG first at maximum compression, then as JPEG at falling quality, then downscaled in steps.
 * Throws BotError('upload_too_large') only when even a tiny JPEG does not fit.
 */
export async function fitImageToLimit(data: Uint8Array, maxBytes: number): Promise<FittedImage> {
  const mimeType = requireImageType(data, 'fit the image to the upload limit');
  if (data.byteLength <= maxBytes) return { data, mimeType, reencoded: false };

  const pixels = await decode(data);
  if (mimeType === 'image/png' && recompressionMayFit(data.byteLength, pixels, maxBytes)) {
    const png = await fromPixels(pixels).png({ compressionLevel: 9, adaptiveFiltering: true }).toBuffer();
    if (png.byteLength <= maxBytes) return { data: toBytes(png), mimeType: 'image/png', reencoded: true };
  }

  let smallest = Infinity;
  for (const quality of jpegQualities) {
    const jpeg = await encodeJpeg(fromPixels(pixels), quality);
    if (jpeg.byteLength <= maxBytes) return { data: toBytes(jpeg), mimeType: 'image/jpeg', reencoded: true };
    smallest = jpeg.byteLength;
    // Far over the limit, lower qualities will not close the gap; downscaling will.
    if (jpeg.byteLength > maxBytes * 2) break;
  }

  let width = pixels.width;
  let height = pixels.height;
  let size = smallest;
  while (Math.max(width, height) > smallestLongSide) {
    // Bytes grow roughly with pixel count, so scale each side by the square root of the excess,
    // with a margin so one step usually suffices.
    const scale = Math.min(0.9, Math.sqrt(maxBytes / size) * 0.9);
    width = Math.max(1, Math.round(width * scale));
    height = Math.max(1, Math.round(height * scale));
    const jpeg = await encodeJpeg(fromPixels(pixels).resize(width, height, { fit: 'fill' }), downscaleQuality);
    if (jpeg.byteLength <= maxBytes) return { data: toBytes(jpeg), mimeType: 'image/jpeg', reencoded: true };
    size = jpeg.byteLength;
  }
  throw new BotError(
    'upload_too_large',
    `The image cannot be made smaller than ${formatBytes(maxBytes)} (${formatBytes(data.byteLength)} originally)`,
  );
}

/**
 * Converts `data` to PNG or JPEG (the formats users can ask for); returns it unchanged when it is
 * already in that format.
 */
export async function convertImageFormat(data: Uint8Array, format: OutputFormat): Promise<EncodedImage> {
  const mimeType = requireImageType(data, `convert the image to ${format.toUpperCase()}`);
  const wanted: ImageMimeType = format === 'png' ? 'image/png' : 'image/jpeg';
  if (mimeType === wanted) return { data, mimeType };
  const image = sharp(data).rotate();
  const encoded = format === 'png' ? await image.png().toBuffer() : await encodeJpeg(image, 92);
  return { data: toBytes(encoded), mimeType: wanted };
}
