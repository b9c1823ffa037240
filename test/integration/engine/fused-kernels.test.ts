// ORT's fused com.microsoft kernels the decode graphs use, against the composed ops they replace.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineSession, Graph, fastGelu, gelu, toOnnxBytes } from '../../../src/engine';
import { Rng } from '../../../src/model/rng';

describe('fused kernels', () => {
  it('FastGelu computes the GELU of ops.ts (tanh approximation) to float32 rounding', async () => {
    const n = 4096;
    const g = new Graph('float32', 'fused-gelu');
    const x = g.input('x', [n]);
    g.output('fused', fastGelu(x));
    g.output('composed', gelu(x));
    const rng = new Rng(5);
    // Wide enough to reach both tails, where the two forms round differently.
    const data = Float32Array.from({ length: n }, () => (rng.next() - 0.5) * 24);
    const s = await EngineSession.create(toOnnxBytes(g), { threads: 1 });
    const out = await s.run({ x: { dtype: 'float32', shape: [n], data } });
    await s.release();
    const [fused, composed] = [out.fused!.data, out.composed!.data] as Float32Array[];
    let worst = 0;
    data.forEach((v, i) => {
      const exact = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
      worst = Math.max(worst, Math.abs(fused![i]! - exact) / Math.max(1, Math.abs(exact)), Math.abs(composed![i]! - exact) / Math.max(1, Math.abs(exact)));
    });
    assert.ok(worst < 1e-6, `worst relative error against float64 ${worst}`);
  });

  it('are refused where a gradient could be asked for', () => {
    const g = new Graph('float32', 'fused-grad');
    const w = g.param('w', [3]);
    assert.throws(() => fastGelu(w), /FastGelu: no gradient rule/);
    assert.doesNotThrow(() => g.untaped(() => fastGelu(w)));
  });
});
