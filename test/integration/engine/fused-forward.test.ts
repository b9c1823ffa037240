// Forward values of ops written as fused rules (not compositions): they must compute the textbook
// function, not only have a gradient consistent with themselves.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineSession, Graph, add, causalBias, causalMask, gelu, softmax, split, toOnnxBytes, transpose, where } from '../../../src/engine';
import { Rng } from '../../../src/model/rng';

/** Seeded so a failure replays: rerun this file. */
const testRng = new Rng(1010);

const randomF64 = (n: number, scale = 4): Float64Array => Float64Array.from({ length: n }, () => (testRng.next() * 2 - 1) * scale);

async function run(g: Graph, feeds: Record<string, Float64Array>, shapes: Record<string, number[]>): Promise<Record<string, Float64Array>> {
  const s = await EngineSession.create(toOnnxBytes(g), { threads: 1, label: g.name });
  const out = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, data]) => [k, { dtype: 'float64' as const, shape: shapes[k]!, data }])));
  await s.release();
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data as Float64Array]));
}

describe('fused op forward values', () => {
  it('GELU equals ½x(1 + tanh(√(2/π)(x + 0.044715x³)))', async () => {
    const g = new Graph('float64', 'gelu-forward');
    g.output('y', gelu(g.input('x', [64])));
    const x = randomF64(64);
    const { y } = await run(g, { x }, { x: [64] });
    let maxErr = 0;
    x.forEach((v, i) => (maxErr = Math.max(maxErr, Math.abs(y![i]! - 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))))));
    assert.ok(maxErr < 1e-14, `max error ${maxErr}`);
  });

  it('softmax over the additive causal bias equals softmax over the Where mask, exactly', async () => {
    const T = 7;
    const g = new Graph('float64', 'causal-forward');
    const s = g.input('s', [2, T, T]);
    g.output('bias', softmax(add(s, causalBias(g, T))));
    g.output('where', softmax(where(causalMask(g, T), s, -1e9)));
    const out = await run(g, { s: randomF64(2 * T * T, 30) }, { s: [2, T, T] });
    assert.deepEqual(out.bias, out.where);
    assert.equal(out.bias![1], 0, 'row 0 cannot see position 1');
  });

  it('a transpose that only moves size-1 axes becomes a Reshape with the same values', async () => {
    const g = new Graph('float64', 'transpose-forward');
    const y = transpose(g.input('x', [2, 1, 3]), [1, 0, 2]);
    g.output('y', y);
    assert.deepEqual(y.shape, [1, 2, 3]);
    assert.ok(!g.nodes.some((n) => n.op === 'Transpose'));
    const x = randomF64(6);
    assert.deepEqual(Array.from((await run(g, { x }, { x: [2, 1, 3] })).y!), Array.from(x));
  });

  it('split returns consecutive pieces and rejects sizes that do not partition the axis', async () => {
    const g = new Graph('float64', 'split-forward');
    const [a, b] = split(g.input('x', [2, 5]), 1, [2, 3]);
    g.output('a', a!);
    g.output('b', b!);
    const x = Float64Array.from({ length: 10 }, (_, i) => i);
    const out = await run(g, { x }, { x: [2, 5] });
    assert.deepEqual(Array.from(out.a!), [0, 1, 5, 6]);
    assert.deepEqual(Array.from(out.b!), [2, 3, 4, 7, 8, 9]);
    assert.throws(() => split(g.input('z', [2, 5]), 1, [2, 2]), /Split: sizes \[2,2\] do not partition axis 1 of \[2,5\]/);
  });
});
