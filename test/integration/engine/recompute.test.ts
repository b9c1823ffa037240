// Recomputed sub-computations (activation recomputation): against central differences, and against
// the same computation kept whole (values and gradients equal), for two blocks in a row whose
// parameters are also read outside them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineSession, Graph, type Tensor, add, affine, gelu, gradients, layerNorm, matmul, mul, recomputed, softmax, sumAll, toOnnxBytes, transpose } from '../../../src/engine';
import { gradCheck } from './gradcheck';
import { Rng } from '../../../src/model/rng';

/** Seeded so a failure replays: rerun this file. */
const testRng = new Rng(1717);

const D = 4;
const SPECS = [
  { name: 'x', shape: [2, 3, D] },
  { name: 'ln.g', shape: [D] },
  { name: 'ln.b', shape: [D] },
  { name: 'fc.w', shape: [D, 6] },
  { name: 'fc.b', shape: [6] },
  { name: 'proj.w', shape: [6, D] },
  { name: 'proj.b', shape: [D] },
];

/** A pre-LN residual block with self-attention and a GELU MLP: [x, ...parameters] → x'. */
function block([x, g, b, w1, b1, w2, b2]: readonly Tensor[]): Tensor {
  const n = layerNorm(x!, g!, b!);
  const attended = matmul(softmax(matmul(n, transpose(n, [0, 2, 1]))), n);
  return add(add(x!, attended), affine(gelu(affine(n, w1!, b1!)), w2!, b2!));
}

/** Two blocks on an activation of x (not a graph input), then a read of one parameter outside them. */
function model(params: readonly Tensor[], recompute: boolean): Tensor {
  const [x, ...ps] = params;
  const run = (h: Tensor): Tensor => (recompute ? recomputed([h, ...ps], ([hIn, ...q]) => block([hIn!, ...q])) : block([h, ...ps]));
  return mul(run(run(mul(x!, 1.5))), ps[0]!);
}

describe('recomputed blocks', () => {
  it('agree with central differences (float64)', async () => {
    const r = await gradCheck(testRng, SPECS, (_, params) => model(params, true));
    assert.ok(r.maxAbsErr < 1e-7, `max |analytic − FD| = ${r.maxAbsErr} over ${r.checked} values`);
  });

  it('give the values and gradients of the blocks kept whole', async () => {
    const values = SPECS.map((s) => Float64Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, () => testRng.next() * 2 - 1));
    const run = async (recompute: boolean): Promise<Float64Array[]> => {
      const g = new Graph('float64', `recompute-${recompute}`);
      const params = SPECS.map((s) => g.param(s.name, s.shape));
      const loss = sumAll(mul(model(params, recompute), model(params, recompute)));
      g.output('loss', loss);
      gradients(loss, params).forEach((t, i) => g.output(`grad_${i}`, t));
      const s = await EngineSession.create(toOnnxBytes(g), { threads: 1 });
      const out = await s.run(Object.fromEntries(SPECS.map((spec, i) => [spec.name, { dtype: 'float64' as const, shape: spec.shape, data: values[i]! }])));
      await s.release();
      return ['loss', ...SPECS.map((_, i) => `grad_${i}`)].map((k) => out[k]!.data as Float64Array);
    };
    const [kept, remade] = [await run(false), await run(true)];
    kept.forEach((a, i) => a.forEach((x, j) => assert.ok(Math.abs(x - remade[i]![j]!) <= 1e-12 * Math.max(1, Math.abs(x)), `output ${i}[${j}]: ${x} vs ${remade[i]![j]}`)));
  });
});
