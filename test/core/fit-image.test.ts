// Fitting real sharp-generated images under byte limits, and converting between PNG and JPEG.
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertImageFormat, fitImageToLimit } from '../../src/core/fit-image.ts';
import { sniffImageType } from '../../src/core/image-type.ts';

let noisyPng: Buffer;

beforeAll(async () => {
  // Noise barely compresses, so 2048×2048 RGB comes out far above 10 MB as PNG.
  noisyPng = await sharp({
    create: { width: 2048, height: 2048, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } },
  })
    .png()
    .toBuffer();
});

/** A smooth gradient, stored without compression, so recompressing alone shrinks it a lot. */
async function uncompressedGradient(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const offset = (y * width + x) * 3;
      pixels[offset] = Math.round((x / width) * 255);
      pixels[offset + 1] = Math.round((y / height) * 255);
      pixels[offset + 2] = 128;
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
}

describe('fitImageToLimit', () => {
  it('returns an image that already fits untouched', async () => {
    const small = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#ff0000' } }).png().toBuffer();
    const fitted = await fitImageToLimit(small, 1_000_000);
    expect(fitted.reencoded).toBe(false);
    expect(fitted.data).toBe(small);
    expect(fitted.mimeType).toBe('image/png');
  });

  it('shrinks a 2048×2048 noisy PNG over 10 MB under 1 MB as a decodable image', async () => {
    expect(noisyPng.byteLength).toBeGreaterThan(10_000_000);
    const fitted = await fitImageToLimit(noisyPng, 1_000_000);
    expect(fitted.reencoded).toBe(true);
    expect(fitted.data.byteLength).toBeLessThanOrEqual(1_000_000);
    expect(fitted.mimeType).toBe('image/jpeg');
    expect(sniffImageType(fitted.data)).toBe('image/jpeg');
    const metadata = await sharp(fitted.data).metadata();
    expect(metadata.format).toBe('jpeg');
    expect(metadata.width).toBeGreaterThan(256);
    expect((metadata.width ?? 0) / (metadata.height ?? 1)).toBeCloseTo(1, 2);
    const stats = await sharp(fitted.data).stats();
    expect(stats.channels[0]?.mean).toBeGreaterThan(90);
  });

  it('keeps a PNG a PNG when maximum compression is enough', async () => {
    const gradient = await uncompressedGradient(512, 512);
    const limit = Math.round(gradient.byteLength / 2);
    const fitted = await fitImageToLimit(gradient, limit);
    expect(fitted).toMatchObject({ mimeType: 'image/png', reencoded: true });
    expect(fitted.data.byteLength).toBeLessThanOrEqual(limit);
    const metadata = await sharp(fitted.data).metadata();
    expect([metadata.format, metadata.width, metadata.height]).toEqual(['png', 512, 512]);
  });

  it('uses JPEG quality before downscaling when that is enough', async () => {
    const fitted = await fitImageToLimit(noisyPng, 4_000_000);
    expect(fitted.data.byteLength).toBeLessThanOrEqual(4_000_000);
    const metadata = await sharp(fitted.data).metadata();
    expect([metadata.format, metadata.width, metadata.height]).toEqual(['jpeg', 2048, 2048]);
  });

  it('fails with upload_too_large only when nothing can fit', async () => {
    await expect(fitImageToLimit(noisyPng, 100)).rejects.toMatchObject({ code: 'upload_too_large' });
  });
});

describe('convertImageFormat', () => {
  it('converts PNG to JPEG (flattening transparency) and JPEG or WebP to PNG', async () => {
    const transparent = await sharp({ create: { width: 32, height: 24, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .png()
      .toBuffer();
    const jpeg = await convertImageFormat(transparent, 'jpg');
    expect(jpeg.mimeType).toBe('image/jpeg');
    const jpegMetadata = await sharp(jpeg.data).metadata();
    expect([jpegMetadata.format, jpegMetadata.width, jpegMetadata.height]).toEqual(['jpeg', 32, 24]);
    expect((await sharp(jpeg.data).stats()).channels[0]?.mean).toBeGreaterThan(250);

    const png = await convertImageFormat(jpeg.data, 'png');
    expect(png.mimeType).toBe('image/png');
    expect((await sharp(png.data).metadata()).format).toBe('png');

    const webp = await sharp(transparent).webp().toBuffer();
    expect((await convertImageFormat(webp, 'png')).mimeType).toBe('image/png');
  });

  it('returns an image already in the wanted format unchanged', async () => {
    const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#00ff00' } }).jpeg().toBuffer();
    const converted = await convertImageFormat(jpeg, 'jpg');
    expect(converted.data).toBe(jpeg);
    expect(converted.mimeType).toBe('image/jpeg');
  });
});
