// A small one-colour PNG for end-to-end tests; distinct colours give distinct bytes to compare.
import sharp from 'sharp';

/** A `size`×`size` PNG filled with one colour. */
export async function pngOf(red: number, green: number, blue: number, size = 16): Promise<Uint8Array> {
  return new Uint8Array(await sharp({ create: { width: size, height: size, channels: 3, background: { r: red, g: green, b: blue } } }).png().toBuffer());
}
