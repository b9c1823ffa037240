// Micro-batches: a batch cut into parts by length gives the log-probs and the optimizer step of the
// whole batch run at once (the fused graph), for SFT and for both GRPO aggregations. The parts also
// run the language-model head in chunks (a tiny logit budget), the whole batch in one array. With
// memory saving on (what a large policy gets), one micro-batch runs the gradient graph with recomputed
// blocks and the host AdamW: the same step again.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type PolicyConfig, type TrainBatch, createPolicySessions } from '../../../src/model';
import { ADAMW_DEFAULTS } from '../../../src/engine';
import { microBatches } from '../../../src/model/batch';
import type { GrpoLossConfig } from '../../../src/model/loss';
import type { ParamValues } from '../../../src/model/params';
import { TRAIN_DEFAULTS, grpoLossConfig } from '../../../src/trainer/config';
import { randomImage, randomTokens, rows, tinyConfig } from './fixtures';
import { Rng } from '../../../src/model/rng';

/** Seeded so a failure replays: rerun this file. */
const testRng = new Rng(606);

const TOKENS = { pad: 0, eos: 2 };
// Long enough for two text-length buckets (32 and 40), so parts are padded to different lengths.
const config = (): PolicyConfig => tinyConfig({ vocabSize: 20, dModel: 16, nHeads: 2, dFF: 32, maxTextLen: 40, image: { channels: 3, size: 8, patchSize: 4 } });

function batchOf(c: PolicyConfig, lengths: readonly number[]): { images: Float32Array[]; tokens: number[][]; lossMask: number[][] } {
  const tokens = lengths.map((n) => [1, ...randomTokens(testRng, c, n - 1)]);
  return { images: tokens.map(() => randomImage(testRng, c)), tokens, lossMask: rows(lengths, (_, j) => (j >= 2 ? 1 : 0)) };
}

async function twins(c: PolicyConfig, grpo: GrpoLossConfig, microBatch: number) {
  // Adam's ε well above float noise: with 1e-8 a gradient entry of ~1e-8 turns summation-order noise into a step of ±lr.
  const optimizer = { adamw: { ...ADAMW_DEFAULTS, eps: 1e-4 }, maxGradNorm: 1 };
  const make = (mb: number, headChunkBytes?: number, memorySaving?: boolean) =>
    createPolicySessions(c, { seed: 5, tokens: TOKENS, grpo, optimizer, runtime: { threads: 1, microBatch: mb, headChunkBytes, memorySaving } });
  // microBatch × maxTextLen rows of vocabSize logits in chunks of ≤ 1,500 bytes: 5 chunks at 2 × 40 × 20.
  return { whole: await make(1000), parts: await make(microBatch, 1500), memorySaving: await make(8, 1500, true) };
}

function maxDiff(a: ParamValues, b: ParamValues): number {
  let d = 0;
  for (const [name, x] of a) {
    const y = b.get(name)!;
    for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i]! - y[i]!));
  }
  return d;
}

const close = (a: number, b: number, what: string, tol = 1e-5): void => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(a)), `${what}: ${a} vs ${b}`);

describe('micro-batches', () => {
  it('keep a batch that fits whole and in order; else order by length in near-equal parts', () => {
    assert.deepEqual(microBatches([5, 3, 9], 3), [[0, 1, 2]]);
    const lengths = [9, 2, 7, 2, 5, 8, 1];
    const parts = microBatches(lengths, 3);
    assert.deepEqual(parts, [
      [6, 1],
      [3, 4, 2],
      [5, 0],
    ]);
    assert.deepEqual(parts.flat().sort(), [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(
      microBatches(Array(10).fill(4), 4).map((p) => p.length),
      [3, 4, 3],
    );
    assert.throws(() => microBatches([1, 2], 0), /micro-batch size must be an integer ≥ 1, got 0/);
  });

  it('give the same log-probs as the whole batch', async () => {
    const c = config();
    const { whole, parts, memorySaving } = await twins(c, grpoLossConfig(TRAIN_DEFAULTS.rl), 2);
    await memorySaving.release();
    const b = batchOf(c, [40, 6, 33, 12, 3, 25, 38]);
    const a = await whole.logprobs(b, { temperature: 1.3 });
    const p = await parts.logprobs(b, { temperature: 1.3 });
    a.logp.forEach((row, i) => row.forEach((x, j) => close(x, p.logp[i]![j]!, `logp[${i}][${j}]`)));
    a.entropy.forEach((row, i) => row.forEach((x, j) => close(x, p.entropy[i]![j]!, `entropy[${i}][${j}]`)));
    await whole.release();
    await parts.release();
  });

  const cases: { name: string; aggregation: 'sequence' | 'token'; objective: (b: ReturnType<typeof batchOf>, ref: number[][]) => TrainBatch['objective'] }[] = [
    { name: 'SFT', aggregation: 'sequence', objective: () => ({ kind: 'sft' }) },
    {
      name: 'GRPO, per-sequence mean, one advantage per sequence',
      aggregation: 'sequence',
      objective: (b, ref) => ({ kind: 'grpo', refLogp: ref, advantages: b.tokens.map((_, i) => (i % 3) - 1 + 0.25 * i) }),
    },
    {
      name: 'GRPO, token mean, per-token advantages and old log-probs',
      aggregation: 'token',
      objective: (_, ref) => ({
        kind: 'grpo',
        refLogp: ref,
        oldLogp: ref.map((row) => row.map((x, j) => x + 0.05 * Math.sin(j))),
        advantages: ref.map((row, i) => row.map((_, j) => Math.cos(i + j))),
      }),
    },
  ];
  for (const k of cases) {
    it(`give the optimizer step of the whole batch: ${k.name}`, async () => {
      const c = config();
      const { whole, ...others } = await twins(c, { ...grpoLossConfig(TRAIN_DEFAULTS.rl), aggregation: k.aggregation }, 3);
      const b = batchOf(c, [40, 6, 33, 12, 3, 25, 38, 17]);
      const ref = (await whole.logprobs(b, { temperature: 1.2 })).logp.map((row) => row.map((x) => x - 0.1));
      const step: TrainBatch = { ...b, objective: k.objective(b, ref), lr: 1e-2, temperature: 1.2 };
      for (let s = 0; s < 2; s++) {
        const a = await whole.trainStep(step);
        for (const [name, twin] of Object.entries(others)) {
          const p = await twin.trainStep(step);
          close(a.loss, p.loss, `${name}: loss at step ${s}`);
          close(a.gradNorm, p.gradNorm, `${name}: grad norm at step ${s}`);
          assert.deepEqual(Object.keys(p.metrics).sort(), Object.keys(a.metrics).sort());
          for (const m of Object.keys(a.metrics)) close(a.metrics[m]!, p.metrics[m]!, `${name}: ${m} at step ${s}`);
        }
      }
      for (const [name, twin] of Object.entries(others)) {
        assert.equal(twin.optimizerState.step, 2);
        const d = maxDiff(whole.params, twin.params);
        assert.ok(d < 1e-5, `${name}: parameters differ by ${d}`);
        assert.ok(maxDiff(whole.optimizerState.v, twin.optimizerState.v) < 1e-8);
        await twin.release();
      }
      await whole.release();
    });
  }
});
