// The embedding gradient (Gather's scatter-add) on ORT's intra-op threads: a token that repeats in
// the batch adds into one table row many times, and ORT's CPU ScatterND(add) shares the updates out
// to threads that then race on that row (onnxruntime#18048). The finite-difference check
// (ops-grad.test.ts) runs on one thread and small shapes, so it cannot see this; here a batch of
// 6,000 tokens from 64 rows is checked against a float64 scatter-add on the host, and run to run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineSession, Graph, type HostTensor, add, gather, gradients, mul, sumAll, toOnnxBytes } from '../../../src/engine';
import { Rng } from '../../../src/model/rng';

/** Seeded so a failure replays: rerun this file. */
const testRng = new Rng(2929);

const V = 64;
const D = 96;
const N = 6000;

/** loss = Σ gather(table, ids) · u (+ Σ table · c: a second use, so the scatter adds onto its gradient, as a tied head's) → ∂loss/∂table. */
function gradientGraph(tied: boolean): Graph {
  const g = new Graph('float32', 'gather-threads');
  const table = g.param('table', [V, D]);
  const ids = g.input('ids', [N], 'int64');
  let loss = sumAll(mul(gather(table, ids), g.input('u', [N, D])));
  if (tied) loss = add(loss, sumAll(mul(table, g.input('c', [V, D]))));
  g.output('grad', gradients(loss, [table])[0]!);
  return g;
}

interface Case {
  feeds: Record<string, HostTensor>;
  /** The gradient summed in float64 on the host, row by row in token order. */
  expected: Float64Array;
}

function makeCase(tied: boolean): Case {
  // Zipf-like draws, as text: a few rows take most of the tokens.
  const ids = BigInt64Array.from({ length: N }, () => BigInt(Math.floor(V * testRng.next() ** 3)));
  const u = Float32Array.from({ length: N * D }, () => testRng.next() * 2 - 1);
  const c = Float32Array.from({ length: V * D }, () => testRng.next() * 2 - 1);
  const expected = new Float64Array(V * D);
  if (tied) expected.set(c);
  ids.forEach((id, n) => {
    for (let d = 0; d < D; d++) expected[Number(id) * D + d]! += u[n * D + d]!;
  });
  const feeds: Record<string, HostTensor> = {
    table: { dtype: 'float32', shape: [V, D], data: new Float32Array(V * D) },
    ids: { dtype: 'int64', shape: [N], data: ids },
    u: { dtype: 'float32', shape: [N, D], data: u },
  };
  if (tied) feeds.c = { dtype: 'float32', shape: [V, D], data: c };
  return { feeds, expected };
}

describe('Gather gradient on intra-op threads', () => {
  for (const tied of [false, true]) {
    it(`sums every repeated token's update, the same bits each run (threads 2${tied ? ', onto a tied use' : ''})`, async () => {
      const session = await EngineSession.create(toOnnxBytes(gradientGraph(tied)), { threads: 2, label: 'gather-threads' });
      const { feeds, expected } = makeCase(tied);
      let first: Float32Array | undefined;
      for (let run = 0; run < 5; run++) {
        const grad = (await session.run(feeds, ['grad'])).grad!.data as Float32Array;
        let worst = 0;
        grad.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - expected[i]!))));
        // float32 sums of up to ~2,000 terms in [-1, 1]; a lost update is off by one term (~0.5).
        assert.ok(worst < 2e-3, `run ${run}: the gradient is off the host's scatter-add by ${worst}`);
        if (first) assert.ok(Buffer.from(grad.buffer).equals(Buffer.from(first.buffer)), `run ${run} gave other bits than run 0`);
        else first = grad.slice();
      }
    });
  }
});
