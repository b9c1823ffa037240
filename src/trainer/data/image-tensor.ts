// Conversions between the model's image tensors (planar RGB floats in 0..1) and bytes: PNG files,
// data URIs for the viewer, and dataset images already decoded and resized (image-decode.ts).
import { encodePng } from './png-encode';

/** Planar [3, size, size] floats → interleaved RGB bytes (rounded, clamped). */
export function tensorToRgbBytes(image: Float32Array, size: number): Uint8Array {
  const plane = size * size;
  if (image.length !== 3 * plane) throw new RangeError(`image has ${image.length} values, expected 3×${size}×${size}`);
  const out = new Uint8Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) out[3 * i + c] = Math.round(Math.min(1, Math.max(0, image[c * plane + i]!)) * 255);
  }
  return out;
}

export function tensorToPng(image: Float32Array, size: number): Buffer {
  return encodePng(tensorToRgbBytes(image, size), size, size, 3);
}

/** `data:image/png;base64,…` for the rollout viewer (DESIGN §3 `image.dataUri`). */
export function dataUri(image: Float32Array, size: number): string {
  return `data:image/png;base64,${tensorToPng(image, size).toString('base64')}`;
}

/** Interleaved RGB bytes of size×size (as decodeImage returns them) → planar [3, size, size] floats. */
export function rgbBytesToTensor(bytes: Uint8Array, size: number): Float32Array {
  const plane = size * size;
  if (bytes.length !== 3 * plane) throw new RangeError(`image has ${bytes.length} bytes, expected 3×${size}×${size}`);
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) out[c * plane + i] = bytes[3 * i + c]! / 255;
  }
  return out;
}
