// safetensors round trip and validation; session errors; serialisation invariants.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineSession, Graph, add, decodeSafetensors, encodeSafetensors, gradients, mul, sumAll, toOnnxBytes } from '../../../src/engine';
import { Rng } from '../../../src/model/rng';

/** Seeded so a failure replays: rerun this file. */
const testRng = new Rng(1313);

const randomF32 = (n: number): Float32Array => Float32Array.from({ length: n }, () => testRng.next() * 2 - 1);

describe('safetensors', () => {
  it('round-trips F32/F64/I64 tensors and metadata bit-exactly', () => {
    const t = new Map<string, { shape: number[]; data: Float32Array | Float64Array | BigInt64Array }>([
      ['b.w', { shape: [3, 4], data: randomF32(12) }],
      ['a', { shape: [2], data: Float64Array.of(Math.PI, -0) }],
      ['ids', { shape: [], data: BigInt64Array.of(-7n) }],
    ]);
    const bytes = encodeSafetensors(t, { step: '3' });
    const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal((8 + headerLen) % 8, 0, 'data section is 8-byte aligned');
    const back = decodeSafetensors(bytes);
    assert.deepEqual(back.metadata, { step: '3' });
    for (const [k, v] of t) {
      assert.deepEqual(back.tensors.get(k)?.shape, v.shape);
      assert.deepEqual(back.tensors.get(k)?.data, v.data);
    }
  });

  it('rejects damaged files naming the source and the problem', () => {
    const good = encodeSafetensors(new Map([['w', { shape: [4], data: randomF32(4) }]]));
    assert.throws(() => decodeSafetensors(good.subarray(0, 5), 'x.safetensors'), /x\.safetensors: .*only 5 bytes/);
    assert.throws(() => decodeSafetensors(good.subarray(0, good.length - 4), 'y.safetensors'), /y\.safetensors: .*'w' has bad data_offsets/);
    const bad = good.slice();
    bad[8] = 0x20; // break the JSON
    assert.throws(() => decodeSafetensors(bad), /header is not JSON/);
    assert.throws(() => encodeSafetensors(new Map([['w', { shape: [5], data: randomF32(4) }]])), /'w' has 4 values for shape \[5\]/);
  });
});

describe('session wrapper', () => {
  it('runs a graph and reports missing inputs by name', async () => {
    const g = new Graph('float32', 'tiny');
    const x = g.param('x', [3]);
    const y = sumAll(mul(add(x, 1), x));
    g.output('y', y);
    g.output('dx', gradients(y, [x])[0]!);
    const s = await EngineSession.create(toOnnxBytes(g), { threads: 1, label: 'tiny' });
    const out = await s.run({ x: { dtype: 'float32', shape: [3], data: Float32Array.of(1, 2, 3) } });
    assert.equal(out.y!.data[0], 2 + 6 + 12);
    assert.deepEqual(Array.from(out.dx!.data as Float32Array), [3, 5, 7]);
    await assert.rejects(s.run({}), /tiny: missing input 'x'/);
    await s.release();
  });

  it('rejects shape errors at graph-build time with the op and shapes', () => {
    const g = new Graph();
    assert.throws(() => add(g.input('a', [2, 3]), g.input('b', [4])), /Add: shapes \[2,3\] and \[4\] do not broadcast/);
  });
});
