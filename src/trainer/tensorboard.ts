// TensorBoard scalars without TensorFlow (DESIGN §4 `tb/`): TFRecord framing (length, masked
// CRC-32C) around hand-encoded `tensorflow.Event` protos holding `Summary.Value.simple_value`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli), the checksum TFRecord uses. */
export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC32C_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC: rotate right by 15 and add a constant. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const c = crc32c(bytes);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** A minimal protobuf writer for the few field kinds an Event needs. */
class ProtoWriter {
  private readonly parts: number[] = [];

  varint(value: number | bigint): this {
    let v = BigInt(value);
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) byte |= 0x80;
      this.parts.push(byte);
    } while (v > 0n);
    return this;
  }

  tag(field: number, wireType: number): this {
    return this.varint((field << 3) | wireType);
  }

  double(field: number, value: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, value, true);
    this.tag(field, 1).parts.push(...b);
    return this;
  }

  float(field: number, value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.tag(field, 5).parts.push(...b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2)
      .varint(value.length)
      .parts.push(...value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** Encodes one Event: wall_time (1), step (2), file_version (3) or summary (5) of simple values. */
export function encodeEvent(wallTime: number, step: number, content: { fileVersion: string } | { scalars: Record<string, number> }): Uint8Array {
  const w = new ProtoWriter().double(1, wallTime).tag(2, 0).varint(step);
  if ('fileVersion' in content) return w.string(3, content.fileVersion).finish();
  const summary = new ProtoWriter();
  for (const [tag, value] of Object.entries(content.scalars)) {
    if (Number.isFinite(value)) summary.bytes(1, new ProtoWriter().string(1, tag).float(2, value).finish());
  }
  return w.bytes(5, summary.finish()).finish();
}

/** Frames one record: length (u64 LE), masked CRC of the length, data, masked CRC of the data. */
export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

/** Appends scalar summaries to `<dir>/events.out.tfevents.<seconds>.<host>`, one record per step. */
export class TensorBoardWriter {
  readonly file: string;

  constructor(dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    const now = Date.now() / 1000;
    this.file = path.join(dir, `events.out.tfevents.${Math.floor(now)}.${os.hostname()}`);
    fs.appendFileSync(this.file, frameRecord(encodeEvent(now, 0, { fileVersion: 'brain.Event:2' })));
  }

  scalars(step: number, values: Record<string, number>): void {
    fs.appendFileSync(this.file, frameRecord(encodeEvent(Date.now() / 1000, step, { scalars: values })));
  }
}
