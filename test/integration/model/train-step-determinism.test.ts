// A train step gives the same bits run to run on ORT's intra-op threads (the default: 0, all cores),
// so a run is reproducible and a resumed run can match an uninterrupted one. An op whose threaded
// kernel races or reduces in a scheduling-dependent order (ScatterND(add) did, docs/engine.md
// "Determinism") makes the parameters differ between two policies given the same step.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPolicySessions } from '../../../src/model';
import { Rng } from '../../../src/model/rng';
import { randomImage, randomTokens, rows, tinyConfig } from './fixtures';

const TOKENS = { pad: 0, eos: 2 };

describe('train step determinism on intra-op threads', () => {
  // memorySaving: the staged step (a session per stage, the head by vocabulary slice, host AdamW). It
  // scatters the embedding's gradient on the host, so ScatterND never ran there; this guards its
  // other kernels (measured: with ScatterND back in `gather`, only the one-graph case fails).
  for (const memorySaving of [false, true]) {
    it(`two policies given the same SFT steps end with the same parameter bits${memorySaving ? ' (staged step)' : ''}`, async () => {
      const rng = new Rng(611);
      // Few token ids over many positions: every embedding row is scattered into hundreds of times.
      const c = tinyConfig({ vocabSize: 12, dModel: 96, nHeads: 4, dFF: 128, maxTextLen: 48, image: { channels: 3, size: 8, patchSize: 4 } });
      const tokens = Array.from({ length: 96 }, () => [1, ...randomTokens(rng, c, 44), 2]);
      const images = tokens.map(() => randomImage(rng, c));
      const lossMask = rows(
        tokens.map((t) => t.length),
        () => 1,
      );
      const trained = async (): Promise<Map<string, Float32Array>> => {
        const policy = await createPolicySessions(c, { seed: 9, tokens: TOKENS, runtime: { threads: 2, microBatch: 96, memorySaving } });
        try {
          for (let step = 0; step < 6; step++) await policy.trainStep({ images, tokens, lossMask, lr: 1e-3, objective: { kind: 'sft' } });
          return new Map([...policy.params].map(([name, v]) => [name, Float32Array.from(v)]));
        } finally {
          await policy.release();
        }
      };
      const [a, b] = [await trained(), await trained()];
      const differ = [...a].filter(([name, v]) => !Buffer.from(v.buffer).equals(Buffer.from(b.get(name)!.buffer))).map(([name]) => name);
      assert.deepEqual(differ, [], `parameters with other bits in the second run: ${differ.join(', ')}`);
    });
  }
});
