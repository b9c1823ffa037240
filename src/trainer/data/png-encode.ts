// Encodes the model's small RGB images as PNG for the viewer's data URIs. Encoding stays here (sync,
// ~20 lines, on node:zlib's deflate and CRC-32) because the trainer builds event lines synchronously;
// decoding any format goes through sharp (image-decode.ts).
import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** 8-bit interleaved RGB (channels 3) or RGBA (channels 4) → PNG, every row unfiltered. */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: 3 | 4): Buffer {
  if (!(width > 0 && height > 0 && Number.isInteger(width) && Number.isInteger(height))) throw new RangeError(`bad PNG size ${width}×${height}`);
  const stride = width * channels;
  if (pixels.length !== stride * height) throw new RangeError(`expected ${stride * height} bytes for ${width}×${height}×${channels}, got ${pixels.length}`);
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = channels === 4 ? 6 : 2;
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}
