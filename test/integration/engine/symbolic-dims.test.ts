// Symbolic dimensions: the polynomial arithmetic shapes are checked with, and one graph run at
// several batch shapes giving what a static graph of each shape gives.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EngineSession,
  Graph,
  type HostTensor,
  SymDim,
  causalBias,
  dimAdd,
  dimDiv,
  dimEq,
  dimMul,
  dimSub,
  evalDim,
  matmul,
  reduceMean,
  reshape,
  sizeOf,
  softmax,
  toOnnxBytes,
  transpose,
} from '../../../src/engine';
import { Rng } from '../../../src/model/rng';

/** Seeded so a failure replays: rerun this file. */
const testRng = new Rng(1414);

const B = SymDim.named('B');
const T = SymDim.named('T');

describe('symbolic dimensions', () => {
  it('add, multiply and divide exactly, and fold to a number when no symbol is left', () => {
    const BT = dimMul(B, T);
    assert.equal(String(BT), 'B*T');
    assert.ok(dimEq(dimMul(T, B), BT), 'products are canonical');
    assert.equal(String(dimAdd(T, 9)), 'T+9');
    assert.equal(dimSub(dimAdd(T, 9), T), 9);
    assert.ok(dimEq(dimDiv(dimMul(BT, 64), 64), BT));
    assert.ok(dimEq(dimDiv(sizeOf([B, T, 64]), 64), BT));
    assert.throws(() => dimDiv(dimAdd(T, 1), B), /not divisible/);
    assert.throws(() => dimDiv(dimMul(T, 3), 2), /not divisible/);
    assert.equal(evalDim(dimAdd(dimMul(BT, 2), 5), { B: 3, T: 7 }), 47);
    assert.throws(() => SymDim.named('2x'), /bad name/);
  });

  it('one graph serves every shape, equal to a static graph of each', async () => {
    const build = (b: number | SymDim, t: number | SymDim): Uint8Array => {
      const g = new Graph('float64', 'attn');
      const x = g.input('x', [b, t, 4]);
      const w = g.input('w', [4, 4]);
      const scores = matmul(matmul(x, w), transpose(x, [0, 2, 1]));
      const y = softmax(reshape(scores, [b, t, t]));
      g.output('y', matmul(y, x));
      g.output('m', reduceMean(reshape(matmul(y, x), [-1, 4]), [0]));
      g.output('bias', causalBias(g, t));
      return toOnnxBytes(g);
    };
    const symbolic = await EngineSession.create(build(B, T), { threads: 1 });
    for (const [b, t] of [
      [1, 1],
      [2, 5],
      [3, 8],
    ] as const) {
      const feeds: Record<string, HostTensor> = {
        x: { dtype: 'float64', shape: [b, t, 4], data: Float64Array.from({ length: b * t * 4 }, () => testRng.next() - 0.5) },
        w: { dtype: 'float64', shape: [4, 4], data: Float64Array.from({ length: 16 }, () => testRng.next() - 0.5) },
      };
      const fixed = await EngineSession.create(build(b, t), { threads: 1 });
      const [got, want] = [await symbolic.run(feeds), await fixed.run(feeds)];
      await fixed.release();
      for (const k of ['y', 'm', 'bias']) {
        assert.deepEqual(got[k]!.shape, want[k]!.shape, `${k} shape at B=${b}, T=${t}`);
        assert.deepEqual(got[k]!.data, want[k]!.data, `${k} at B=${b}, T=${t}`);
      }
    }
    await symbolic.release();
  });
});
