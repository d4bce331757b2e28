// The copy kept for /show: the posted bytes when they fit SHOW_IMAGE_MAX_MB, a smaller decodable image when not, nothing at 0.
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { keptCopyOf } from '../../src/core/kept-copy.ts';

let noisyPng: Uint8Array;

beforeAll(async () => {
  noisyPng = new Uint8Array(await sharp({
    create: { width: 512, height: 512, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } },
  }).png().toBuffer());
});

describe('keptCopyOf', () => {
  it('keeps the posted bytes themselves when they fit', async () => {
    const kept = await keptCopyOf({ data: noisyPng, mimeType: 'image/png' }, noisyPng.byteLength);
    expect(kept?.data).toBe(noisyPng);
    expect(kept?.mimeType).toBe('image/png');
  });

  it('re-encodes a larger image under the bound, still decodable at the same size', async () => {
    const bound = Math.floor(noisyPng.byteLength / 4);
    const kept = await keptCopyOf({ data: noisyPng, mimeType: 'image/png' }, bound);
    expect(kept?.data.byteLength).toBeLessThanOrEqual(bound);
    const metadata = await sharp(kept?.data).metadata();
    expect(metadata.format).toBe(kept?.mimeType === 'image/jpeg' ? 'jpeg' : kept?.mimeType.replace('image/', ''));
    expect(metadata.width).toBeGreaterThan(0);
  });

  it('keeps nothing when the operator set 0', async () => {
    expect(await keptCopyOf({ data: noisyPng, mimeType: 'image/png' }, 0)).toBeUndefined();
  });
});
