// Drawing a token from the decode graph's float32 probabilities against the float64 draw from logits
// (sampleToken) it stands in for: the same token unless u falls within rounding of a boundary.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../../src/model/rng';
import { SAMPLING_DEFAULTS, drawFromProbs, sampleToken } from '../../../src/model/sampler';

/** Softmax(logits / T) in float32, as the graph's Softmax gives it (up to its own rounding). */
function float32Probs(logits: Float32Array, T: number): Float32Array {
  const max = Math.max(...logits);
  const e = Array.from(logits, (l) => Math.exp((l - max) / T));
  const sum = e.reduce((a, b) => a + b, 0);
  return Float32Array.from(e, (x) => x / sum);
}

describe('drawFromProbs', () => {
  it('draws the token and log-probability sampleToken draws from the logits, seed for seed', () => {
    const rng = new Rng(3);
    let draws = 0;
    let same = 0;
    let worst = 0;
    for (const V of [2, 17, 411, 4_096]) {
      for (const spread of [0.5, 5, 30]) {
        const logits = Float32Array.from({ length: V }, () => spread * (rng.next() - 0.5));
        for (const T of [0.7, 1, 1.3]) {
          const probs = float32Probs(logits, T);
          for (let seed = 0; seed < 50; seed++) {
            const want = sampleToken(logits, 0, V, { ...SAMPLING_DEFAULTS, temperature: T, maxNewTokens: 1 }, new Rng(seed));
            const got = drawFromProbs(probs, 0, V, new Rng(seed));
            draws++;
            if (got.token === want.token) {
              same++;
              worst = Math.max(worst, Math.abs(got.logprob - want.logprob));
            }
          }
        }
      }
    }
    assert.ok(same >= draws - 2, `${draws - same} of ${draws} draws differ`);
    assert.ok(worst < 1e-5, `worst log-probability difference ${worst}`);
  });

  it('reads the row at its offset, and never picks a token of probability 0', () => {
    const probs = Float32Array.of(0.9, 0.1, /* row 1: */ 0, 0.5, 0.5, 0);
    for (let seed = 0; seed < 200; seed++) {
      const { token, logprob } = drawFromProbs(probs, 2, 4, new Rng(seed));
      assert.ok(token === 1 || token === 2, `token ${token}`);
      assert.ok(Math.abs(logprob - Math.log(0.5)) < 1e-7);
    }
    // u at the top of its range: the cumulative sum never passes it, the last possible token is taken.
    const top = { next: () => 1 } as unknown as Rng;
    assert.equal(drawFromProbs(probs, 2, 4, top).token, 2);
  });
});
