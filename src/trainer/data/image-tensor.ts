// Conversions between the model's image tensors (planar RGB floats in 0..1) and bytes: PNG files,
// data URIs for the viewer, decoded dataset images resized to the model's input size.
import { encodePng, type RgbaImage } from './png';

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

/**
 * An RGBA image → planar [3, size, size] floats: alpha composited over white, then stretched to the
 * square by area averaging (each output pixel is the coverage-weighted mean of the source pixels under it).
 */
export function rgbaToTensor(img: RgbaImage, size: number): Float32Array {
  const { width: w, height: h, data } = img;
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  const sx = w / size;
  const sy = h / size;
  for (let oy = 0; oy < size; oy++) {
    const y0 = oy * sy;
    const y1 = y0 + sy;
    for (let ox = 0; ox < size; ox++) {
      const x0 = ox * sx;
      const x1 = x0 + sx;
      let r = 0;
      let g = 0;
      let b = 0;
      let wsum = 0;
      for (let y = Math.floor(y0); y < Math.min(h, Math.ceil(y1)); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        for (let x = Math.floor(x0); x < Math.min(w, Math.ceil(x1)); x++) {
          const wgt = wy * (Math.min(x + 1, x1) - Math.max(x, x0));
          const p = (y * w + x) * 4;
          const a = data[p + 3]! / 255;
          r += wgt * (data[p]! * a + 255 * (1 - a));
          g += wgt * (data[p + 1]! * a + 255 * (1 - a));
          b += wgt * (data[p + 2]! * a + 255 * (1 - a));
          wsum += wgt;
        }
      }
      const o = oy * size + ox;
      const k = 1 / (255 * wsum);
      out[o] = r * k;
      out[plane + o] = g * k;
      out[2 * plane + o] = b * k;
    }
  }
  return out;
}
