// Real PNG result images for the provider fakes, generated once per process with sharp and shared.
import sharp from 'sharp';

/** Which result image a fake serves: a small PNG, a ~2 MB PNG, or bytes the test supplies. */
export type ResultImageChoice = 'small' | 'large' | Uint8Array;

const cache = new Map<'small' | 'large', Promise<Uint8Array>>();

async function smallPng(): Promise<Uint8Array> {
  const buffer = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 250, g: 210, b: 40 } } })
    .png()
    .toBuffer();
  return new Uint8Array(buffer);
}

/** ~2 MB: noise does not compress, so the PNG stays close to its raw pixel size (836 x 836 x 3). */
async function largePng(): Promise<Uint8Array> {
  const width = 836;
  const height = 836;
  const pixels = Buffer.alloc(width * height * 3);
  // A cheap deterministic generator (xorshift) keeps the image identical across runs.
  let state = 0x9e3779b9;
  for (let index = 0; index < pixels.length; index += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    pixels[index] = state & 0xff;
  }
  const buffer = await sharp(pixels, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
  return new Uint8Array(buffer);
}

/** The bytes for `choice`; built images are cached, so a thousand fakes or tasks share one buffer. */
export function resultImageBytes(choice: ResultImageChoice): Promise<Uint8Array> {
  if (choice instanceof Uint8Array) return Promise.resolve(choice);
  let pending = cache.get(choice);
  if (pending === undefined) {
    pending = choice === 'small' ? smallPng() : largePng();
    cache.set(choice, pending);
  }
  return pending;
}
