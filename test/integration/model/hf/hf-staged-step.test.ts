// A Hugging Face decoder's memory-saving step in stages against its one gradient graph (itself
// checked against central differences in hf-decoder.test.ts), in float64: loss, metrics and every
// trained weight's gradient within 1e-12, for full fine-tuning with tied (Qwen2) and untied (Llama)
// embeddings and for LoRA (Qwen3, q/k norms), SFT and both GRPO forms, uneven vocabulary slices,
// body groups (each one layer per run) and micro-batch shares. With tied embeddings the table's
// gradient is the head's plus the embeddings': a check that fails if either is dropped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostTensor } from '../../../../src/engine';
import type { Objective } from '../../../../src/model/graphs';
import { type HfDecoderConfig, hfParamSpecs } from '../../../../src/model/hf/config';
import { EMBED_TOKENS, type LoraConfig, loraParamSpecs } from '../../../../src/model/hf/decoder';
import { type HfGraphMode, buildHfGradGraph } from '../../../../src/model/hf/graphs';
import { HfPolicy } from '../../../../src/model/hf/hf-policy';
import { hfStages } from '../../../../src/model/hf/hf-stages';
import { Rng } from '../../../../src/model/rng';
import { type StagedCut, assertStagedEqualsReference, batchFeeds, close, f64, objectiveName, runGraph, stagedRun, uniform } from '../staged-check';
import { randomHfWeights, randomIds, tinyHfConfig } from './fixtures';

/** Seeded so a failure replays: rerun this file. */
const testRng = new Rng(2324);

const [B, Tt] = [3, 7];
const grpo = { beta: 0.04, epsLow: 0.2, epsHigh: 0.2, aggregation: 'sequence' as const };
const SFT: Objective = { kind: 'sft' };
const GRPO_TOKEN: Objective = { kind: 'grpo', loss: grpo, advantage: 'token', onPolicy: false };
const GRPO_ON_POLICY: Objective = { kind: 'grpo', loss: { ...grpo, aggregation: 'token' }, advantage: 'sequence', onPolicy: true };
const LORA: LoraConfig = { rank: 3, alpha: 6, targetModules: ['q_proj', 'v_proj', 'down_proj'] };

/** Every feed of the gradient graph in float64: a random batch, the base weights and (LoRA) random adapters, B included, so every gradient is non-zero. */
function randomFeeds(c: HfDecoderConfig, mode: HfGraphMode, objective: Objective, seed: number): Record<string, HostTensor> {
  const feeds = batchFeeds(testRng, B, Tt, c.vocabSize, objective);
  for (const [name, v] of randomHfWeights(c, seed)) feeds[name] = f64(hfParamSpecs(c).find((s) => s.name === name)!.shape, Float64Array.from(v));
  if (mode.lora) for (const s of loraParamSpecs(c, mode.lora)) feeds[s.name] = f64(s.shape, uniform(testRng, s.shape[0] * s.shape[1], 0.3));
  return feeds;
}

const reference = (c: HfDecoderConfig, mode: HfGraphMode, objective: Objective, feeds: Readonly<Record<string, HostTensor>>): Promise<Record<string, HostTensor>> =>
  runGraph(buildHfGradGraph(c, mode, objective, 3, 'float64'), feeds);

/** Uneven slices (61 = 8 × 7 + 5 rows) with body groups of 2 + 1; one slice, one sequence per group; two shares, all at once. */
function cuts(c: HfDecoderConfig): StagedCut[] {
  const scoresBytes = c.numHeads * Tt ** 2 * 8;
  return [
    { sliceRows: 7, shares: 1, bodyBytes: 2 * scoresBytes },
    { sliceRows: c.vocabSize, shares: 1, bodyBytes: 1 },
    { sliceRows: 10, shares: 2, bodyBytes: 3 * scoresBytes },
  ];
}

const CASES: { what: string; c: HfDecoderConfig; mode: HfGraphMode; objectives: Objective[] }[] = [
  { what: 'Qwen2, tied embeddings, full', c: tinyHfConfig('qwen2'), mode: { train: 'full' }, objectives: [SFT, GRPO_TOKEN, GRPO_ON_POLICY] },
  { what: 'Llama, untied, attention biases, full', c: tinyHfConfig('llama'), mode: { train: 'full' }, objectives: [SFT, GRPO_TOKEN] },
  { what: 'Qwen3, tied, q/k norms, LoRA', c: tinyHfConfig('qwen3'), mode: { train: 'lora', lora: LORA }, objectives: [SFT, GRPO_ON_POLICY] },
];

describe('an HF decoder’s memory-saving step in stages (float64)', () => {
  for (const { what, c, mode, objectives } of CASES) {
    for (const objective of objectives) {
      it(`equals the one gradient graph: ${what}, ${objectiveName(objective)}`, async () => {
        const feeds = randomFeeds(c, mode, objective, 5);
        await assertStagedEqualsReference(hfStages(c, mode), objective, feeds, await reference(c, mode, objective, feeds), cuts(c));
      });
    }
  }

  it('tied embeddings: the table’s gradient is the head’s plus the embeddings’ (each alone is far from it)', async () => {
    const tied = tinyHfConfig('qwen2');
    const untied = { ...tied, tieWordEmbeddings: false };
    const mode: HfGraphMode = { train: 'full' };
    const feeds = randomFeeds(tied, mode, SFT, 6);
    // The untied twin reads the same table as its head: the same function, its gradient split in two.
    const twinFeeds = { ...feeds, 'lm_head.weight': feeds[EMBED_TOKENS]! };
    const cut = cuts(tied)[0]!;
    const whole = (await stagedRun(hfStages(tied, mode), SFT, feeds, cut)).grads.get(EMBED_TOKENS)!;
    const split = (await stagedRun(hfStages(untied, mode), SFT, twinFeeds, cut)).grads;
    const [head, embeddings] = [split.get('lm_head.weight')!, split.get(EMBED_TOKENS)!];
    whole.forEach((x, i) => close(head[i]! + embeddings[i]!, x, `table gradient [${i}]`));
    const farthest = (a: Float64Array): number => Math.max(...a.map((x, i) => Math.abs(x - whole[i]!)));
    assert.ok(farthest(head) > 1e-3 && farthest(embeddings) > 1e-3, `head alone ${farthest(head)}, embeddings alone ${farthest(embeddings)} from the sum`);
  });
});

describe('HfPolicy with memory saving', () => {
  it('takes the same float32 step with the stages as with the one gradient graph (tied, full fine-tuning, two micro-batches, GRPO)', async () => {
    const c = tinyHfConfig('qwen2');
    const weights = randomHfWeights(c, 7);
    const make = (memorySaving: boolean): HfPolicy =>
      new HfPolicy(c, { base: weights, training: 'full', maxTextLen: 16, tokens: { pad: 0, eos: [] }, grpo, runtime: { threads: 1, microBatch: 2, memorySaving } });
    const tokens = [9, 12, 7].map((n) => randomIds(testRng, n, c.vocabSize));
    const lossMask = tokens.map((t) => t.slice(1).map((_, j) => (j >= 2 ? 1 : 0)));
    const [staged, oneGraph] = [make(true), make(false)];
    const refLogp = (await oneGraph.logprobs({ tokens })).logp;
    const step = { tokens, lossMask, lr: 1e-2, objective: { kind: 'grpo' as const, refLogp, advantages: [1, -0.5, 0.25] } };
    const a = await staged.trainStep(step);
    const b = await oneGraph.trainStep(step);
    await Promise.all([staged.release(), oneGraph.release()]);
    assert.ok(Math.abs(a.loss - b.loss) < 1e-6 && Math.abs(a.gradNorm - b.gradNorm) < 1e-5 * b.gradNorm, `loss ${a.loss} vs ${b.loss}, norm ${a.gradNorm} vs ${b.gradNorm}`);
    assert.deepEqual(Object.keys(a.metrics).sort(), Object.keys(b.metrics).sort());
    for (const [name, v] of staged.params) {
      const w = oneGraph.params.get(name)!;
      v.forEach((x, i) => assert.ok(Math.abs(x - w[i]!) < 1e-5, `${name}[${i}]: ${x} vs ${w[i]}`));
    }
  });
});
