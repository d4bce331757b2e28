// Draws the offline mock provider's images: a prompt-seeded gradient, the prompt as text, reference mosaics.
import sharp from 'sharp';
import type { ImageMimeType } from '../core/image-type.ts';
import type { AspectRatio, OutputFormat, Resolution } from '../core/request.ts';

/** What the mock draws. */
export interface MockRenderRequest {
  prompt: string;
  /** Undefined and `auto` both draw a square. */
  aspectRatio: AspectRatio | undefined;
  resolution: Resolution;
  outputFormat: OutputFormat;
  model: string;
  /** One stand-in per byte reference that decoded, in order, each made by `referenceTile`. */
  referenceTiles: readonly Uint8Array[];
  /** References given only as URLs: the mock never fetches them, the caption counts them. */
  urlReferenceCount: number;
}

/** Side of a reference tile in pixels: 8×8 RGB is 192 bytes, enough to show a reference's colours. */
export const referenceTileSide = 8;
/** Byte length of one reference tile (`referenceTileSide`² pixels, 3 channels). */
export const referenceTileBytes = referenceTileSide * referenceTileSide * 3;

/** A rendered image. */
export interface MockImage {
  data: Uint8Array;
  mimeType: ImageMimeType;
}

const longSideByResolution: Record<Resolution, number> = { '1K': 1024, '2K': 2048, '4K': 4096 };

/** Pixel size for an aspect ratio and tier: the long side is the tier's size (1K = 1024). */
export function mockImageSize(aspectRatio: AspectRatio | undefined, resolution: Resolution): { width: number; height: number } {
  const longSide = longSideByResolution[resolution];
  const [across, down] = (aspectRatio === undefined || aspectRatio === 'auto' ? '1:1' : aspectRatio).split(':').map(Number);
  const ratio = (across ?? 1) / (down ?? 1);
  return ratio >= 1
    ? { width: longSide, height: Math.round(longSide / ratio) }
    : { width: Math.round(longSide * ratio), height: longSide };
}

/** Deterministic uniform numbers in [0, 1) seeded from `text` (FNV-1a into mulberry32). */
function seededRandom(text: string): () => number {
  let hash = 0x811c9dc5;
  for (const character of text) {
    hash ^= character.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  let state = hash;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Escapes text for SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** Breaks `text` into at most `maxLines` lines of about `lineLength` characters, with an ellipsis when cut. */
function wrapText(text: string, lineLength: number, maxLines: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const pieces = word.length > lineLength ? word.match(new RegExp(`.{1,${lineLength}}`, 'gu')) ?? [word] : [word];
    for (const piece of pieces) {
      if (current && current.length + 1 + piece.length > lineLength) {
        lines.push(current);
        current = piece;
      } else {
        current = current ? `${current} ${piece}` : piece;
      }
    }
  }
  if (current) lines.push(current);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${(kept[maxLines - 1] ?? '').slice(0, Math.max(0, lineLength - 1))}…`;
  return kept;
}

function colour(random: () => number, hue: number): string {
  return `hsl(${Math.round(hue)}, ${Math.round(55 + random() * 25)}%, ${Math.round(42 + random() * 18)}%)`;
}

/** The picture without thumbnails, as SVG: gradient, a few soft circles, the prompt and a caption. */
function backgroundSvg(request: MockRenderRequest, width: number, height: number): string {
  const urlReferences = request.urlReferenceCount;
  const random = seededRandom(request.prompt);
  const hue = random() * 360;
  const start = colour(random, hue);
  const end = colour(random, hue + 90 + random() * 120);
  const shortSide = Math.min(width, height);
  const circles = Array.from({ length: 4 }, () => {
    const radius = Math.round(shortSide * (0.12 + random() * 0.25));
    const x = Math.round(random() * width);
    const y = Math.round(random() * height);
    return `<circle cx="${x}" cy="${y}" r="${radius}" fill="${colour(random, hue + random() * 360)}" fill-opacity="0.35"/>`;
  }).join('');
  const fontSize = Math.max(12, Math.round(shortSide / 18));
  const lineLength = Math.max(8, Math.floor((width * 0.84) / (fontSize * 0.56)));
  const lines = wrapText(request.prompt, lineLength, 8);
  const lineHeight = Math.round(fontSize * 1.25);
  const boxHeight = lines.length * lineHeight + fontSize;
  const boxTop = Math.round((height - boxHeight) / 2);
  const text = lines
    .map((line, index) => `<tspan x="50%" y="${boxTop + fontSize * 0.5 + lineHeight * (index + 0.8)}">${escapeXml(line)}</tspan>`)
    .join('');
  const caption = [request.model, request.resolution, request.aspectRatio ?? 'default ratio', `${width}×${height}`]
    .concat(urlReferences > 0 ? [`${urlReferences} URL ref${urlReferences === 1 ? '' : 's'} (not fetched)`] : [])
    .join(' · ');
  // Shrinks the caption on narrow images so it stays on the picture.
  const captionSize = Math.max(8, Math.min(Math.round(shortSide / 40), Math.floor((width * 0.95) / (caption.length * 0.6))));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<defs><linearGradient id="sky" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${start}"/><stop offset="1" stop-color="${end}"/></linearGradient></defs>
<rect width="${width}" height="${height}" fill="url(#sky)"/>${circles}
<rect x="${Math.round(width * 0.05)}" y="${boxTop}" width="${Math.round(width * 0.9)}" height="${boxHeight}" rx="${Math.round(fontSize / 2)}" fill="#000" fill-opacity="0.45"/>
<text font-family="DejaVu Sans, Verdana, sans-serif" font-size="${fontSize}" fill="#fff" text-anchor="middle">${text}</text>
<text x="${Math.round(captionSize * 0.8)}" y="${height - Math.round(captionSize * 0.8)}" font-family="DejaVu Sans, Verdana, sans-serif" font-size="${captionSize}" fill="#fff" fill-opacity="0.85">${escapeXml(caption)}</text>
</svg>`;
}

/**
 * Shrinks a reference image to an 8×8 RGB tile (transparency flattened onto white). The tile,
 * not the reference's bytes, is what the picture shows, so the mock's task id can carry it and
 * any process can draw the same image. Undefined when the bytes do not decode.
 */
export async function referenceTile(data: Uint8Array): Promise<Uint8Array | undefined> {
  try {
    const tile = await sharp(data)
      .resize(referenceTileSide, referenceTileSide, { fit: 'cover' })
      .flatten({ background: '#ffffff' })
      // Grey and CMYK inputs would otherwise keep their own channel count.
      .toColourspace('srgb')
      .raw()
      .toBuffer();
    return tile.byteLength === referenceTileBytes ? new Uint8Array(tile.buffer, tile.byteOffset, tile.byteLength) : undefined;
  } catch {
    // A reference that passed sniffing but does not decode is simply left out of the picture.
    return undefined;
  }
}

/** The reference tiles as framed mosaics, in a row from the top-right corner. */
async function thumbnails(tiles: readonly Uint8Array[], width: number, height: number): Promise<sharp.OverlayOptions[]> {
  const size = Math.max(16, Math.round(Math.min(width, height) / 8));
  const margin = Math.max(4, Math.round(size / 8));
  const overlays: sharp.OverlayOptions[] = [];
  for (const tile of tiles) {
    const left = width - (overlays.length + 1) * (size + margin);
    if (left < 0) break;
    const input = await sharp(tile, { raw: { width: referenceTileSide, height: referenceTileSide, channels: 3 } })
      // Nearest-neighbour keeps the blocks sharp: it reads as a stand-in, not as a blurry photo.
      .resize(size - 4, size - 4, { kernel: 'nearest' })
      .extend({ top: 2, bottom: 2, left: 2, right: 2, background: '#ffffff' })
      .png()
      .toBuffer();
    overlays.push({ input, left, top: margin });
  }
  return overlays;
}

/**
 * Renders the mock's image: the same bytes for the same request in any process on the same
 * build of sharp and fonts, sized from the aspect ratio and tier, in the requested format.
 */
export async function renderMockImage(request: MockRenderRequest): Promise<MockImage> {
  const { width, height } = mockImageSize(request.aspectRatio, request.resolution);
  const svg = backgroundSvg(request, width, height);
  const overlays = await thumbnails(request.referenceTiles, width, height);
  const image = sharp(Buffer.from(svg)).composite(overlays);
  const encoded = request.outputFormat === 'png'
    ? await image.png({ compressionLevel: 6 }).toBuffer()
    : await image.flatten({ background: '#ffffff' }).jpeg({ quality: 90 }).toBuffer();
  return {
    data: new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength),
    mimeType: request.outputFormat === 'png' ? 'image/png' : 'image/jpeg',
  };
}
