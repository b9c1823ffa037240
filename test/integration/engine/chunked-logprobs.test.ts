// The chunked language-model head: against finite differences, and against the whole-array path
// (log-softmax over all positions at once) in value and gradient, for even, uneven and empty chunks,
// with symbolic batch and length, and with the head or the hidden states frozen (each chunk then
// waits on the previous one's other gradient).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EngineSession,
  Graph,
  type HostTensor,
  SymDim,
  type Tensor,
  chunkedTokenLogprobs,
  div,
  exp,
  gatherElements,
  gradients,
  logSoftmax,
  matmul,
  mul,
  neg,
  reduceSum,
  reshape,
  sumAll,
  toOnnxBytes,
  transpose,
} from '../../../src/engine';
import { gradCheck } from './gradcheck';
import { Rng } from '../../../src/model/rng';

/** Seeded so a failure replays: rerun this file. */
const testRng = new Rng(909);

const random = (n: number): Float64Array => Float64Array.from({ length: n }, () => testRng.next() * 2 - 1);
const targetsFor = (n: number, V: number): BigInt64Array => BigInt64Array.from({ length: n }, () => BigInt(Math.floor(testRng.next() * V)));

type Inputs = { h: Float64Array; W: Float64Array; t: BigInt64Array; w: Float64Array };

/** Log-probs, entropy and gradients of Σ logp·w for h and W (those not `frozen`), by one path, with symbolic [B, T]. */
async function evaluate(path: 'whole' | number, B: number, T: number, D: number, V: number, inputs: Inputs, frozen?: 'h' | 'W') {
  const g = new Graph('float64', `head-${path}`);
  const [Bs, Ts] = [SymDim.named('B'), SymDim.named('T')];
  const h = g.input('h', [Bs, Ts, D], 'float64', frozen !== 'h');
  const W = g.input('W', [V, D], 'float64', frozen !== 'W');
  const targets = g.input('targets', [Bs, Ts, 1], 'int64');
  const weights = g.input('w', [Bs, Ts]);
  const temperature = g.input('temperature', []);
  let logp: Tensor;
  let entropy: Tensor;
  if (path === 'whole') {
    const logsm = logSoftmax(div(matmul(h, transpose(W, [1, 0])), temperature));
    logp = reshape(gatherElements(logsm, targets, -1), [Bs, Ts]);
    entropy = neg(reduceSum(mul(exp(logsm), logsm), [-1]));
  } else ({ logp, entropy } = chunkedTokenLogprobs(h, W, targets, temperature, path));
  const loss = sumAll(mul(logp, weights));
  const trainable = frozen === 'h' ? { dW: W } : frozen === 'W' ? { dh: h } : { dh: h, dW: W };
  const grads = gradients(loss, Object.values(trainable));
  g.output('logp', logp);
  g.output('entropy', entropy);
  Object.keys(trainable).forEach((name, i) => g.output(name, grads[i]!));
  const s = await EngineSession.create(toOnnxBytes(g), { threads: 1 });
  const feeds: Record<string, HostTensor> = {
    h: { dtype: 'float64', shape: [B, T, D], data: inputs.h },
    W: { dtype: 'float64', shape: [V, D], data: inputs.W },
    targets: { dtype: 'int64', shape: [B, T, 1], data: inputs.t },
    w: { dtype: 'float64', shape: [B, T], data: inputs.w },
    temperature: { dtype: 'float64', shape: [], data: Float64Array.of(1.3) },
  };
  const out = await s.run(feeds);
  await s.release();
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data as Float64Array]));
}

const maxDiff = (a: Float64Array, b: Float64Array): number => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);

describe('chunked token log-probs', () => {
  it('agrees with central differences (float64)', async () => {
    const V = 7;
    const D = 3;
    let targets!: Tensor;
    let temperature!: Tensor;
    const r = await gradCheck(
      testRng,
      [
        { name: 'h', shape: [2, 3, D] },
        { name: 'W', shape: [V, D] },
      ],
      (_, [h, W]) => chunkedTokenLogprobs(h!, W!, targets, temperature, 4).logp,
      (g) => {
        targets = g.input('targets', [2, 3, 1], 'int64');
        temperature = g.input('temperature', []);
        return {
          targets: { dtype: 'int64', shape: [2, 3, 1], data: targetsFor(6, V) },
          temperature: { dtype: 'float64', shape: [], data: Float64Array.of(0.8) },
        };
      },
    );
    assert.ok(r.maxAbsErr < 1e-7, `max |analytic − FD| = ${r.maxAbsErr} over ${r.checked} values`);
  });

  for (const [B, T, chunks] of [
    [2, 5, 3], // uneven: 10 rows in chunks of 4, 4, 2
    [3, 4, 4], // even
    [1, 3, 8], // more chunks than rows: five are empty
    [4, 6, 1], // one chunk
  ] as const) {
    it(`equals the whole-array path in value and gradient: B=${B}, T=${T}, ${chunks} chunks`, async () => {
      const D = 5;
      const V = 11;
      const inputs = { h: random(B * T * D), W: random(V * D), t: targetsFor(B * T, V), w: random(B * T) };
      const whole = await evaluate('whole', B, T, D, V, inputs);
      const chunked = await evaluate(chunks, B, T, D, V, inputs);
      for (const k of ['logp', 'entropy', 'dh', 'dW']) assert.ok(maxDiff(whole[k]!, chunked[k]!) < 1e-12, `${k}: max |Δ| = ${maxDiff(whole[k]!, chunked[k]!)}`);
    });
  }

  for (const frozen of ['h', 'W'] as const) {
    it(`equals the whole-array path with ${frozen} frozen (uneven and empty chunks)`, async () => {
      const [B, T, D, V] = [1, 5, 4, 9];
      const inputs = { h: random(B * T * D), W: random(V * D), t: targetsFor(B * T, V), w: random(B * T) };
      const whole = await evaluate('whole', B, T, D, V, inputs, frozen);
      const chunked = await evaluate(7, B, T, D, V, inputs, frozen);
      assert.deepEqual(Object.keys(chunked).sort(), Object.keys(whole).sort());
      for (const k of Object.keys(whole)) assert.ok(maxDiff(whole[k]!, chunked[k]!) < 1e-12, `${k}: max |Δ| = ${maxDiff(whole[k]!, chunked[k]!)}`);
    });
  }
});
