// PNG in and out, with node:zlib for (de)compression. Encoding: 8-bit RGB/RGBA with a per-row filter
// choice. Decoding: every non-interlaced PNG (greyscale, RGB, palette, with alpha; 1–16 bits), to RGBA8.
import { deflateSync, inflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array, crc = 0xffffffff): number {
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return crc;
}

export class PngError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'PngError';
  }
}

export interface RgbaImage {
  width: number;
  height: number;
  /** Row-major RGBA, 8 bits per sample. */
  data: Uint8Array;
}

// ---- encoding ----

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE((crc32(out.subarray(4, 8 + data.length)) ^ 0xffffffff) >>> 0, 8 + data.length);
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** The filtered byte at i of `row` for filter type f (prev is the unfiltered previous row). */
function filterByte(f: number, row: Uint8Array, prev: Uint8Array, i: number, bpp: number): number {
  const a = i >= bpp ? row[i - bpp]! : 0;
  const b = prev[i]!;
  const c = i >= bpp ? prev[i - bpp]! : 0;
  const x = row[i]!;
  switch (f) {
    case 1:
      return (x - a) & 0xff;
    case 2:
      return (x - b) & 0xff;
    case 3:
      return (x - ((a + b) >> 1)) & 0xff;
    case 4:
      return (x - paeth(a, b, c)) & 0xff;
    default:
      return x;
  }
}

/** Encodes 8-bit interleaved RGB (channels 3) or RGBA (channels 4) pixels. */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: 3 | 4): Buffer {
  if (!(width > 0 && height > 0 && Number.isInteger(width) && Number.isInteger(height))) throw new RangeError(`bad PNG size ${width}×${height}`);
  const stride = width * channels;
  if (pixels.length !== stride * height) throw new RangeError(`expected ${stride * height} bytes for ${width}×${height}×${channels}, got ${pixels.length}`);
  const raw = new Uint8Array((stride + 1) * height);
  let prev: Uint8Array = new Uint8Array(stride);
  const trial = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    // Usual heuristic: keep the filter whose output has the smallest sum of |signed bytes|.
    let best = 0;
    let bestCost = Infinity;
    for (let f = 0; f < 5; f++) {
      let cost = 0;
      for (let i = 0; i < stride; i++) {
        const v = filterByte(f, row, prev, i, channels);
        cost += v < 128 ? v : 256 - v;
      }
      if (cost < bestCost) [best, bestCost] = [f, cost];
    }
    const o = y * (stride + 1);
    raw[o] = best;
    for (let i = 0; i < stride; i++) trial[i] = filterByte(best, row, prev, i, channels);
    raw.set(trial, o + 1);
    prev = row;
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = channels === 4 ? 6 : 2;
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

// ---- decoding ----

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const DEPTHS: Record<number, readonly number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
}

/** Checks the signature and IHDR only: cheap validation of a file before the full decode. */
export function readPngHeader(bytes: Uint8Array, file = '<png>'): PngHeader {
  if (bytes.length < 33 || !SIGNATURE.equals(Buffer.from(bytes.subarray(0, 8)))) {
    throw new PngError(file, `not a PNG file (${sniffFormat(bytes)}); only PNG images are supported`);
  }
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.toString('latin1', 12, 16) !== 'IHDR') throw new PngError(file, 'first chunk is not IHDR');
  const h: PngHeader = {
    width: view.readUInt32BE(16),
    height: view.readUInt32BE(20),
    bitDepth: view[24]!,
    colorType: view[25]!,
    interlaced: view[28] === 1,
  };
  if (h.width === 0 || h.height === 0) throw new PngError(file, `empty image ${h.width}×${h.height}`);
  if (!(h.colorType in CHANNELS) || !DEPTHS[h.colorType]!.includes(h.bitDepth)) {
    throw new PngError(file, `invalid colour type ${h.colorType} with bit depth ${h.bitDepth}`);
  }
  if (view[26] !== 0 || view[27] !== 0) throw new PngError(file, 'unknown compression or filter method');
  if (h.interlaced) throw new PngError(file, 'interlaced (Adam7) PNGs are not supported; re-save it without interlacing');
  return h;
}

function sniffFormat(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'looks like JPEG';
  if (bytes[0] === 0x47 && bytes[1] === 0x49 && bytes[2] === 0x46) return 'looks like GIF';
  if (bytes[0] === 0x52 && bytes[1] === 0x49 && bytes[2] === 0x46 && bytes[3] === 0x46) return 'looks like WebP';
  if (bytes[0] === 0x42 && bytes[1] === 0x4d) return 'looks like BMP';
  return bytes.length === 0 ? 'empty file' : 'unknown format';
}

function unfilter(raw: Uint8Array, height: number, stride: number, bpp: number, file: string): Uint8Array {
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)]!;
    if (f > 4) throw new PngError(file, `row ${y} has unknown filter type ${f}`);
    const src = y * (stride + 1) + 1;
    const o = y * stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? out[o + i - bpp]! : 0;
      const b = y > 0 ? out[o - stride + i]! : 0;
      const c = i >= bpp && y > 0 ? out[o - stride + i - bpp]! : 0;
      const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : paeth(a, b, c);
      out[o + i] = (raw[src + i]! + pred) & 0xff;
    }
  }
  return out;
}

export function decodePng(bytes: Uint8Array, file = '<png>'): RgbaImage {
  const h = readPngHeader(bytes, file);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const idat: Buffer[] = [];
  let palette: Uint8Array | null = null;
  let paletteAlpha: Uint8Array | null = null;
  let ended = false;
  for (let p = 8; p < view.length && !ended; ) {
    if (p + 12 > view.length) throw new PngError(file, `truncated chunk header at byte ${p}`);
    const len = view.readUInt32BE(p);
    const type = view.toString('latin1', p + 4, p + 8);
    if (p + 12 + len > view.length) throw new PngError(file, `chunk ${type} at byte ${p} runs past the end of the file`);
    const crc = (crc32(view.subarray(p + 4, p + 8 + len)) ^ 0xffffffff) >>> 0;
    if (crc !== view.readUInt32BE(p + 8 + len)) throw new PngError(file, `CRC mismatch in chunk ${type} at byte ${p}`);
    const data = view.subarray(p + 8, p + 8 + len);
    if (type === 'IDAT') idat.push(data);
    else if (type === 'PLTE') palette = data;
    else if (type === 'tRNS' && h.colorType === 3) paletteAlpha = data;
    else if (type === 'IEND') ended = true;
    p += 12 + len;
  }
  if (idat.length === 0) throw new PngError(file, 'no image data (IDAT)');
  if (h.colorType === 3 && !palette) throw new PngError(file, 'palette image without PLTE chunk');

  const channels = CHANNELS[h.colorType]!;
  const bitsPerPixel = channels * h.bitDepth;
  const stride = Math.ceil((h.width * bitsPerPixel) / 8);
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (e) {
    throw new PngError(file, `corrupt image data: ${(e as Error).message}`);
  }
  if (raw.length < (stride + 1) * h.height) throw new PngError(file, `image data too short: ${raw.length} bytes for ${h.width}×${h.height}`);
  const px = unfilter(raw, h.height, stride, Math.max(1, bitsPerPixel >> 3), file);

  const maxSample = (1 << h.bitDepth) - 1;
  const sample = (y: number, k: number): number => {
    // k-th sample of row y, scaled to 8 bits (palette indices are returned unscaled).
    if (h.bitDepth === 8) return px[y * stride + k]!;
    if (h.bitDepth === 16) return px[y * stride + 2 * k]!;
    const bit = k * h.bitDepth;
    const v = (px[y * stride + (bit >> 3)]! >> (8 - h.bitDepth - (bit & 7))) & maxSample;
    return h.colorType === 3 ? v : Math.round((v * 255) / maxSample);
  };
  const out = new Uint8Array(h.width * h.height * 4);
  for (let y = 0; y < h.height; y++) {
    for (let x = 0; x < h.width; x++) {
      const o = (y * h.width + x) * 4;
      const s = x * channels;
      if (h.colorType === 3) {
        const idx = sample(y, x);
        if (3 * idx + 2 >= palette!.length) throw new PngError(file, `palette index ${idx} out of range at (${x}, ${y})`);
        out[o] = palette![3 * idx]!;
        out[o + 1] = palette![3 * idx + 1]!;
        out[o + 2] = palette![3 * idx + 2]!;
        out[o + 3] = paletteAlpha && idx < paletteAlpha.length ? paletteAlpha[idx]! : 255;
      } else if (channels <= 2) {
        const g = sample(y, s);
        out[o] = out[o + 1] = out[o + 2] = g;
        out[o + 3] = channels === 2 ? sample(y, s + 1) : 255;
      } else {
        out[o] = sample(y, s);
        out[o + 1] = sample(y, s + 1);
        out[o + 2] = sample(y, s + 2);
        out[o + 3] = channels === 4 ? sample(y, s + 3) : 255;
      }
    }
  }
  return { width: h.width, height: h.height, data: out };
}
