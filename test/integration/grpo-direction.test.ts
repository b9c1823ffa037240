// The sign of the whole RL path: one GRPO update through the real policy graphs must raise the
// log-probability of a positive-advantage completion and lower that of a negative one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPolicySessions } from '../../src/model/policy';
import { completionMask } from '../../src/trainer/sequences';
import { TRAIN_DEFAULTS, grpoLossConfig } from '../../src/trainer/config';

describe('GRPO update direction', () => {
  it('moves log-probs with the sign of the advantage and leaves KL small', async () => {
    const policy = await createPolicySessions(
      { vocabSize: 16, dModel: 16, nLayers: 1, nHeads: 2, dFF: 32, maxTextLen: 8, image: { size: 8, patchSize: 4 } },
      { seed: 3, tokens: { pad: 0, eos: 1 }, grpo: grpoLossConfig(TRAIN_DEFAULTS.rl) },
    );
    try {
      const image = new Float32Array(3 * 8 * 8).fill(0.5);
      const batch = {
        images: [image, image],
        tokens: [
          [2, 3, 4, 5, 6],
          [2, 3, 7, 8, 9],
        ],
      };
      const lossMask = batch.tokens.map((t) => completionMask(2, t.length));
      const sumCompletion = (rows: number[][]): number[] => rows.map((r, b) => r.reduce((a, x, j) => a + x * lossMask[b]![j]!, 0));
      const before = await policy.logprobs(batch);
      const update = await policy.trainStep({
        ...batch,
        lossMask,
        objective: { kind: 'grpo', oldLogp: before.logp, refLogp: before.logp, advantages: [1, -1] },
        lr: 1e-2,
      });
      const after = await policy.logprobs(batch);
      const [upBefore, downBefore] = sumCompletion(before.logp);
      const [upAfter, downAfter] = sumCompletion(after.logp);
      assert.ok(upAfter! > upBefore!, `positive advantage: ${upBefore} → ${upAfter}`);
      assert.ok(downAfter! < downBefore!, `negative advantage: ${downBefore} → ${downAfter}`);
      assert.ok(Math.abs((update.metrics.ratio_mean ?? 0) - 1) < 1e-5, 'ratio is 1 on the first update of a batch');
    } finally {
      await policy.release();
    }
  });
});
