// The memory-saving step's stages (forward, loss, head by vocabulary slice, body) against the one
// gradient graph they replace (itself checked against central differences), in float64: loss,
// metrics and every parameter's gradient agree to 1e-12, for SFT and both GRPO forms, with uneven and
// single slices of the vocabulary, the body in groups of sequences, and two micro-batches' shares.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineSession, type HostTensor, toOnnxBytes } from '../../../src/engine';
import { DIMS, OPTIMIZER_DEFAULTS, type Objective, buildTrainGraph } from '../../../src/model/graphs';
import { FEED } from '../../../src/model/feed-names';
import { numPatches, patchDim } from '../../../src/model/config';
import { paramSpecs } from '../../../src/model/params';
import { Rng } from '../../../src/model/rng';
import { type StageSessions, stagedGradients } from '../../../src/model/staged-step';
import { tinyConfig } from './fixtures';

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

const uniform = (n: number, scale = 1): Float64Array => Float64Array.from({ length: n }, () => (testRng.next() * 2 - 1) * scale);
const f64 = (shape: number[], data: Float64Array): HostTensor => ({ dtype: 'float64', shape, data });
const ints = (shape: number[], below: number): HostTensor => ({
  dtype: 'int64',
  shape,
  data: BigInt64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => BigInt(Math.floor(testRng.next() * below))),
});

/** Every feed of the train graph for a random batch and random parameters, in float64. */
function randomFeeds(): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {
    ids: ints([B, Tt], c.vocabSize),
    targets: ints([B, Tt, 1], c.vocabSize),
    patches: f64([B, numPatches(c), patchDim(c)], uniform(B * numPatches(c) * patchDim(c))),
    temperature: f64([], Float64Array.of(1.3)),
    mask: f64(
      [B, Tt],
      Float64Array.from({ length: B * Tt }, () => (testRng.next() < 0.7 ? 1 : 0)),
    ),
    old_logp: f64(
      [B, Tt],
      uniform(B * Tt, 0.5).map((x) => x - 2.6),
    ),
    ref_logp: f64(
      [B, Tt],
      uniform(B * Tt, 0.5).map((x) => x - 2.6),
    ),
  };
  for (const s of paramSpecs(c))
    feeds[s.name] = f64(
      s.shape,
      uniform(
        s.shape.reduce((a, b) => a * b, 1),
        0.5,
      ),
    );
  return feeds;
}

const advantagesFor = (o: Objective): HostTensor => (o.kind === 'grpo' && o.advantage === 'token' ? f64([B, Tt], uniform(B * Tt)) : f64([B, 1], uniform(B)));

/** One session per stage, as the policy keeps them. */
function stageSessions(): { session: StageSessions; release: () => Promise<void> } {
  const made = new Map<string, Promise<EngineSession>>();
  const session: StageSessions = (key, build, arena) => made.get(key) ?? made.set(key, EngineSession.create(toOnnxBytes(build()), { threads: 1, memArena: arena })).get(key)!;
  return { session, release: async () => void (await Promise.all([...made.values()].map(async (s) => (await s).release()))) };
}

const close = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a)), `${what}: ${a} vs ${b}`);

describe('the memory-saving step in stages (float64)', () => {
  for (const objective of OBJECTIVES) {
    const name = objective.kind === 'sft' ? 'SFT' : `GRPO, ${objective.advantage} advantages${objective.onPolicy ? ', on-policy' : ''}`;
    it(`equals the one gradient graph: ${name}`, async () => {
      const feeds = { ...randomFeeds(), advantages: advantagesFor(objective) };
      const whole = await EngineSession.create(
        toOnnxBytes(buildTrainGraph(c, DIMS.batch, objective, OPTIMIZER_DEFAULTS, { dtype: 'float64', emit: 'gradients', textLen: DIMS.text })),
        { threads: 1 },
      );
      const reference = await whole.run(feeds);
      await whole.release();
      const R = B * Tt;
      // Vocabulary slices of 4, 4, 4, 1 rows (uneven), of 13 (one), and two micro-batch shares of ½;
      // the body in groups of 2 + 1 sequences, of 1, and all 3 at once.
      const scoresBytes = c.nHeads * (numPatches(c) + Tt) ** 2 * 8;
      for (const { sliceRows, shares, bodyBytes } of [
        { sliceRows: 4, shares: 1, bodyBytes: 2 * scoresBytes },
        { sliceRows: 13, shares: 1, bodyBytes: 1 },
        { sliceRows: 5, shares: 2, bodyBytes: 3 * scoresBytes },
      ]) {
        const { session, release } = stageSessions();
        const sums = new Map<string, Float64Array>();
        let loss = 0;
        let metrics: Record<string, number> = {};
        for (let k = 0; k < shares; k++) {
          const r = await stagedGradients(c, session, objective, feeds, { headChunks: 3, sliceBytes: sliceRows * R * 8, bodyBytes }, sums, 1 / shares);
          loss += r.loss / shares;
          metrics = r.metrics;
        }
        await release();
        const what = `${sliceRows}-row slices, ${shares} share(s), body bytes ${bodyBytes}`;
        close(reference.loss!.data[0] as number, loss, `${what}: loss`);
        assert.deepEqual(
          Object.keys(metrics).sort(),
          Object.keys(reference)
            .filter((k) => ['kl', 'clip_ratio', 'ratio_mean', 'entropy'].includes(k))
            .sort(),
        );
        for (const [m, v] of Object.entries(metrics)) close(reference[m]!.data[0] as number, v, `${what}: ${m}`);
        for (const s of paramSpecs(c)) {
          const want = reference[FEED.grad(s.name)]!.data as Float64Array;
          const got = sums.get(s.name)!;
          assert.equal(got.length, want.length);
          want.forEach((x, i) => close(x, got[i]!, `${what}: grad of ${s.name}[${i}]`));
        }
      }
    });
  }
});
