import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TensorBoardWriter, crc32c, maskedCrc32c } from '../../../src/trainer/tensorboard';

/** An independent reader: TFRecord frames, then the protobuf wire format of Event / Summary. */
function readRecords(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length;) {
    const len = Number(bytes.readBigUInt64LE(at));
    assert.equal(bytes.readUInt32LE(at + 8), maskedCrc32c(bytes.subarray(at, at + 8)), 'length CRC');
    const data = bytes.subarray(at + 12, at + 12 + len);
    assert.equal(bytes.readUInt32LE(at + 12 + len), maskedCrc32c(data), 'data CRC');
    out.push(data);
    at += 16 + len;
  }
  return out;
}

type Field = { field: number; value: bigint | number | Buffer };
function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let at = 0;
  const varint = (): bigint => {
    let v = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = buf[at++]!;
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
  };
  while (at < buf.length) {
    const key = Number(varint());
    const wire = key & 7;
    const field = key >> 3;
    if (wire === 0) out.push({ field, value: varint() });
    else if (wire === 1) {
      out.push({ field, value: buf.readDoubleLE(at) });
      at += 8;
    } else if (wire === 5) {
      out.push({ field, value: buf.readFloatLE(at) });
      at += 4;
    } else if (wire === 2) {
      const n = Number(varint());
      out.push({ field, value: buf.subarray(at, at + n) });
      at += n;
    } else throw new Error(`wire type ${wire}`);
  }
  return out;
}

describe('TensorBoard event files', () => {
  it('computes CRC-32C like the standard check value', () => {
    assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
  });

  it('writes a file_version record, then one Event per step with simple values', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-tb-'));
    const tb = new TensorBoardWriter(dir);
    tb.scalars(7, { reward: 0.5, 'eval/accuracy': 0.25, skipped: Number.NaN });
    const records = readRecords(fs.readFileSync(tb.file));
    assert.equal(records.length, 2);
    const header = fields(records[0]!);
    assert.equal(header.find((f) => f.field === 3)?.value.toString(), 'brain.Event:2');
    const event = fields(records[1]!);
    assert.equal(event.find((f) => f.field === 2)?.value, 7n);
    assert.ok(Math.abs(Date.now() / 1000 - (event.find((f) => f.field === 1)?.value as number)) < 60);
    const values = fields(event.find((f) => f.field === 5)!.value as Buffer).map((v) => fields(v.value as Buffer));
    const scalars = Object.fromEntries(values.map((v) => [v.find((f) => f.field === 1)!.value.toString(), v.find((f) => f.field === 2)!.value]));
    assert.deepEqual(scalars, { reward: 0.5, 'eval/accuracy': 0.25 });
  });
});
