// Image files of every format a dataset may hold, written with sharp for the loader's tests.
import sharp from 'sharp';

export type ImageFormat = 'png' | 'interlaced-png' | 'jpeg' | 'webp' | 'gif';

/** A w×h image of one colour, in `format`; `alpha` (0..1) makes it translucent (PNG and WebP). */
export async function writeSolidImage(file: string, format: ImageFormat, w: number, h: number, rgb: [number, number, number], alpha = 1): Promise<void> {
  const channels = alpha < 1 ? 4 : 3;
  const pixels = Buffer.alloc(w * h * channels);
  for (let i = 0; i < w * h; i++) {
    pixels.set(rgb, i * channels);
    if (channels === 4) pixels[i * 4 + 3] = Math.round(alpha * 255);
  }
  const img = sharp(pixels, { raw: { width: w, height: h, channels } });
  const encoded =
    format === 'png'
      ? img.png()
      : format === 'interlaced-png'
        ? img.png({ progressive: true })
        : format === 'jpeg'
          ? img.jpeg({ quality: 100 })
          : format === 'webp'
            ? img.webp({ lossless: true })
            : img.gif();
  await encoded.toFile(file);
}
