// safetensors F16/BF16: raw read, widened read, write back in the dtype read, unsupported dtypes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type SafeTensorInput, bf16ToF32, bytesSource, decodeSafetensors, encodeSafetensors, f16ToF32, f32ToBf16, f32ToF16, readSafetensors } from '../../../src/engine';
import { Rng } from '../../../src/model/rng';

/** Seeded so a failure replays: rerun this file. */
const testRng = new Rng(1515);

const randomF32 = (n: number): Float32Array => Float32Array.from({ length: n }, () => (testRng.next() * 2 - 1) * 10 ** Math.floor(testRng.next() * 6 - 3));
const randomBits = (n: number): Uint16Array => Uint16Array.from({ length: n }, () => Math.floor(testRng.next() * 65536)); // NaNs and infinities included
const randomShape = (): number[] => Array.from({ length: 1 + Math.floor(testRng.next() * 3) }, () => 1 + Math.floor(testRng.next() * 5));
const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** A model the way HF stores one: mostly BF16 or F16, plus the odd F32/I64 buffer. */
function mixedTensors(): Map<string, SafeTensorInput> {
  const t = new Map<string, SafeTensorInput>();
  for (const [name, dtype] of [
    ['embed.weight', 'BF16'],
    ['layers.0.q.weight', 'F16'],
    ['layers.0.norm.weight', 'F32'],
  ] as const) {
    const shape = randomShape();
    t.set(name, { dtype, shape, data: dtype === 'F32' ? randomF32(numel(shape)) : randomBits(numel(shape)) });
  }
  t.set('position_ids', { shape: [4], data: BigInt64Array.of(0n, 1n, 2n, -3n) });
  return t;
}

function headerOf(bytes: Uint8Array): Record<string, { dtype: string; data_offsets: [number, number] }> {
  const len = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len))) as never;
}

/** A file with a hand-written header, for dtypes the encoder never writes. */
function handWritten(header: Record<string, unknown>, dataBytes: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

describe('safetensors F16 / BF16', () => {
  it('reads raw 16-bit patterns with their dtype and writes the same bytes back', () => {
    const tensors = mixedTensors();
    const bytes = encodeSafetensors(tensors, { format: 'pt' });
    const header = headerOf(bytes);
    assert.equal(header['embed.weight']!.dtype, 'BF16');
    assert.equal(header['layers.0.q.weight']!.dtype, 'F16');
    const [b, e] = header['embed.weight']!.data_offsets;
    assert.equal(e - b, 2 * tensors.get('embed.weight')!.data.length, 'two bytes a value');
    const back = readSafetensors(bytesSource(bytes), 'mixed.safetensors');
    for (const [name, t] of tensors) {
      const got = back.tensors.get(name)!;
      assert.equal(got.dtype, t.dtype ?? (t.data instanceof BigInt64Array ? 'I64' : 'F32'), name);
      assert.deepEqual(got.shape, t.shape, name);
      assert.deepEqual(got.data, t.data, name);
    }
    assert.deepEqual(encodeSafetensors(back.tensors, back.metadata), bytes, 'bit-exact write back');
  });

  it('decodeSafetensors widens F16/BF16 to float32, keeps the stored dtype and writes back bit-exactly', () => {
    const tensors = mixedTensors();
    const bytes = encodeSafetensors(tensors);
    const wide = decodeSafetensors(bytes, 'wide.safetensors');
    const embed = wide.tensors.get('embed.weight')!;
    assert.equal(embed.dtype, 'BF16');
    assert.deepEqual(embed.data, bf16ToF32(tensors.get('embed.weight')!.data as Uint16Array));
    assert.deepEqual(wide.tensors.get('layers.0.q.weight')!.data, f16ToF32(tensors.get('layers.0.q.weight')!.data as Uint16Array));
    assert.deepEqual(encodeSafetensors(wide.tensors), bytes);
  });

  it('float32 data written as F16/BF16 is narrowed with round to nearest even', () => {
    const x = randomF32(257);
    const bytes = encodeSafetensors(
      new Map<string, SafeTensorInput>([
        ['h', { dtype: 'F16', shape: [257], data: x }],
        ['b', { dtype: 'BF16', shape: [257], data: x }],
      ]),
    );
    const back = readSafetensors(bytesSource(bytes));
    assert.deepEqual(back.tensors.get('h')!.data, f32ToF16(x));
    assert.deepEqual(back.tensors.get('b')!.data, f32ToBf16(x));
  });

  it('refuses ambiguous or impossible dtypes on write, naming the tensor', () => {
    assert.throws(() => encodeSafetensors(new Map([['raw', { shape: [2], data: randomBits(2) }]])), /'raw' holds raw 16-bit data, so its dtype \(F16 or BF16\) must be given/);
    assert.throws(() => encodeSafetensors(new Map([['d', { dtype: 'BF16' as const, shape: [2], data: Float64Array.of(1, 2) }]])), /'d' cannot be stored as BF16 from Float64Array/);
    assert.throws(() => encodeSafetensors(new Map([['w', { dtype: 'F16' as const, shape: [3], data: randomBits(2) }]])), /'w' has 2 values for shape \[3\]/);
  });

  it('unsupported dtypes are a clear error naming the file, tensor and dtype', () => {
    for (const dtype of ['I8', 'U8', 'F8_E4M3', 'BOOL']) {
      const file = handWritten({ 'q.weight': { dtype, shape: [4], data_offsets: [0, 4] } }, 4);
      assert.throws(
        () => decodeSafetensors(file, 'model-00001-of-00002.safetensors'),
        new RegExp(`^Error: model-00001-of-00002\\.safetensors: tensor 'q\\.weight' has dtype ${dtype}, which is not supported \\(supported: F16, BF16, F32, F64, I64\\)`),
      );
    }
    const short = handWritten({ h: { dtype: 'BF16', shape: [3], data_offsets: [0, 4] } }, 4);
    assert.throws(() => decodeSafetensors(short, 'x.safetensors'), /x\.safetensors: not a valid safetensors file: tensor 'h': 4 bytes for BF16\[3\]/);
  });
});
