// The tiny policy's memory-saving step in stages (forward, loss, head by vocabulary slice, body)
// against the one gradient graph they replace (itself checked against central differences), in
// float64: loss, metrics and every parameter's gradient agree to 1e-12, for SFT and both GRPO forms,
// with uneven and single slices of the vocabulary, the body in groups of sequences, and two
// micro-batches' shares.
import { describe, it } from 'node:test';
import type { HostTensor } from '../../../src/engine';
import { DIMS, OPTIMIZER_DEFAULTS, type Objective, buildTrainGraph } from '../../../src/model/graphs';
import { numPatches, patchDim } from '../../../src/model/config';
import { paramSpecs } from '../../../src/model/params';
import { policyStages } from '../../../src/model/policy-stages';
import { Rng } from '../../../src/model/rng';
import { tinyConfig } from './fixtures';
import { assertStagedEqualsReference, batchFeeds, f64, objectiveName, runGraph, uniform } from './staged-check';

/** Seeded so a failure replays: rerun this file. */
const testRng = new Rng(2323);

const c = tinyConfig();
const [B, Tt] = [3, c.maxTextLen];
const grpo = { beta: 0.04, epsLow: 0.2, epsHigh: 0.2, aggregation: 'sequence' as const };
const OBJECTIVES: Objective[] = [
  { kind: 'sft' },
  { kind: 'grpo', loss: grpo, advantage: 'token', onPolicy: false },
  { kind: 'grpo', loss: { ...grpo, aggregation: 'token' }, advantage: 'sequence', onPolicy: true },
];

/** Every feed of the train graph for a random batch and random parameters, in float64. */
function randomFeeds(objective: Objective): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {
    ...batchFeeds(testRng, B, Tt, c.vocabSize, objective),
    patches: f64([B, numPatches(c), patchDim(c)], uniform(testRng, B * numPatches(c) * patchDim(c))),
  };
  for (const s of paramSpecs(c))
    feeds[s.name] = f64(
      s.shape,
      uniform(
        testRng,
        s.shape.reduce((a, b) => a * b, 1),
        0.5,
      ),
    );
  return feeds;
}

describe('the memory-saving step in stages (float64)', () => {
  for (const objective of OBJECTIVES) {
    it(`equals the one gradient graph: ${objectiveName(objective)}`, async () => {
      const feeds = randomFeeds(objective);
      const reference = await runGraph(buildTrainGraph(c, DIMS.batch, objective, OPTIMIZER_DEFAULTS, { dtype: 'float64', emit: 'gradients', textLen: DIMS.text }), feeds);
      // Vocabulary slices of 4, 4, 4, 1 rows (uneven), of 13 (one), and two micro-batch shares of ½;
      // the body in groups of 2 + 1 sequences, of 1, and all 3 at once.
      const scoresBytes = c.nHeads * (numPatches(c) + Tt) ** 2 * 8;
      await assertStagedEqualsReference(policyStages(c), objective, feeds, reference, [
        { sliceRows: 4, shares: 1, bodyBytes: 2 * scoresBytes },
        { sliceRows: 13, shares: 1, bodyBytes: 1 },
        { sliceRows: 5, shares: 2, bodyBytes: 3 * scoresBytes },
      ]);
    });
  }
});
