// Dataset images → the model's square RGB input, through sharp (libvips): PNG (interlaced too),
// JPEG, WebP, GIF (first frame), TIFF, AVIF. Transparency is composited over white; the aspect ratio
// is kept by letterboxing (`contain`, the default: the whole image, white bars) or a centre crop
// (`cover`). EXIF orientation is not applied, as PIL's Image.open in the R1-VL code does not.
import type { Sharp } from 'sharp';

export type ImageFit = 'contain' | 'cover';

export const IMAGE_FITS: readonly ImageFit[] = ['contain', 'cover'];

/** The image file could not be read or decoded; the message names the file. */
export class ImageDecodeError extends Error {
  override name = 'ImageDecodeError';
  constructor(
    readonly file: string,
    readonly reason: 'not found' | 'not decodable',
    detail: string,
  ) {
    super(reason === 'not found' ? `image not found: ${file}` : `${file}: cannot decode image (${detail})`);
  }
}

const WHITE = { r: 255, g: 255, b: 255 };

// Loaded on first use: synthetic runs and the extension host never need the native module.
let sharpModule: ((input: string) => Sharp) | undefined;
async function openImage(file: string): Promise<Sharp> {
  sharpModule ??= (await import('sharp')).default as unknown as (input: string) => Sharp;
  return sharpModule(file);
}

/** Interleaved 8-bit RGB of `size`×`size`. */
export async function decodeImage(file: string, size: number, fit: ImageFit = 'contain'): Promise<Uint8Array> {
  try {
    const image = await openImage(file);
    const { data } = await image
      .flatten({ background: WHITE })
      .resize(size, size, { fit, background: WHITE, position: 'centre' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT' || /Input file is missing/.test(e.message)) throw new ImageDecodeError(file, 'not found', e.message);
    throw new ImageDecodeError(file, 'not decodable', e.message.split('\n')[0]!.trim());
  }
}
