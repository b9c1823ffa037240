// Images enter the policy as plain Float32Array [C, H, W] with values in 0..1; this cuts them into
// row-major patches of C·p·p values each (channel-major inside a patch).
import { type PolicyConfig, numPatches, patchDim } from './config';

/** Writes the patches of `image` into `out` at `offset` (numPatches × patchDim floats). */
export function patchify(config: PolicyConfig, image: Float32Array, out: Float32Array, offset = 0): void {
  const { channels: C, size: S, patchSize: p } = config.image;
  if (image.length !== C * S * S) throw new Error(`image: expected ${C}×${S}×${S} = ${C * S * S} values, got ${image.length}`);
  const per = S / p;
  let o = offset;
  for (let py = 0; py < per; py++) {
    for (let px = 0; px < per; px++) {
      for (let c = 0; c < C; c++) {
        for (let y = 0; y < p; y++) {
          const row = c * S * S + (py * p + y) * S + px * p;
          for (let x = 0; x < p; x++) out[o++] = image[row + x]! - 0.5;
        }
      }
    }
  }
  if (o - offset !== numPatches(config) * patchDim(config)) throw new Error('image: patch layout mismatch');
}

/** Patches for a batch of images: [B, numPatches, patchDim]. */
export function patchifyBatch(config: PolicyConfig, images: readonly Float32Array[]): Float32Array {
  const n = numPatches(config) * patchDim(config);
  const out = new Float32Array(images.length * n);
  images.forEach((img, b) => {
    try {
      patchify(config, img, out, b * n);
    } catch (err) {
      throw new Error(`batch item ${b}: ${(err as Error).message}`);
    }
  });
  return out;
}

/** Whether two images hold the same values (the same array, or equal element by element). */
export function sameImage(a: Float32Array, b: Float32Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
