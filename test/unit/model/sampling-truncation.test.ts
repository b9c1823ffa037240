// Top-k and the repetition penalty against references written from transformers' rules
// (TopKLogitsWarper: keep every score ≥ the k-th largest; RepetitionPenaltyLogitsProcessor: a seen
// token's positive logit divided by the penalty, a negative one multiplied), by brute force.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sampleSequences } from '../../../src/model/kv-sampler';
import { Rng } from '../../../src/model/rng';
import { SAMPLING_DEFAULTS, type SamplingOptions, kept, penalized, sampleToken, tokenLogprob, validateSampling } from '../../../src/model/sampler';
import { lmLogits as logits, nucleusBySortingAll, samplingWeights } from '../../support/nucleus-reference';

/** Top-k by sorting every token, then the nucleus of the kept tokens against their own weight. */
function keptBySortingAll(probs: Float64Array, topK: number, topP: number): { order: number[]; mass: number } {
  const sorted = [...probs.keys()].sort((a, b) => probs[b]! - probs[a]! || a - b);
  const floor = probs[sorted[Math.min(topK, sorted.length) - 1]!]!;
  const top = new Float64Array(probs.length);
  let sum = 0;
  for (const v of sorted) if (probs[v]! >= floor) sum += top[v] = probs[v]!;
  const r = nucleusBySortingAll(top, sum, topP);
  return { order: r.order.filter((v) => top[v]! > 0), mass: r.mass };
}

const options = (o: Partial<SamplingOptions>): SamplingOptions => ({ ...SAMPLING_DEFAULTS, ...o });

describe('top-k', () => {
  it('keeps exactly the tokens, in the order and with the mass, of sorting every token (ties with the k-th kept)', () => {
    const rng = new Rng(21);
    let cases = 0;
    for (const V of [3, 411, 5_000, 49_152]) {
      for (const steps of [0, 2]) {
        const l = logits(rng, V, 8, steps);
        for (const temperature of [0.7, 1.3]) {
          const { probs, sum } = samplingWeights(l, temperature);
          for (const topK of [1, 2, 20, 50]) {
            for (const topP of [0.5, 0.9, 1]) {
              if (topK >= V) continue;
              assert.deepEqual(kept(probs, sum, { topK, topP }), keptBySortingAll(probs, topK, topP), `V ${V}, steps ${steps}, T ${temperature}, k ${topK}, p ${topP}`);
              cases++;
            }
          }
        }
      }
    }
    assert.equal(cases, 2 * 2 * 4 * 3 * 3 + 2 * 2 * 2 * 3);
  });

  it('draws each kept token at its renormalised probability and never another', () => {
    const V = 60;
    const l = logits(new Rng(5), V, 3);
    const o = options({ temperature: 1.1, topK: 7 });
    const { probs, sum } = samplingWeights(l, o.temperature);
    const { order, mass } = kept(probs, sum, o);
    const draws = 40_000;
    const count = new Map<number, number>();
    for (let seed = 0; seed < draws; seed++) {
      const { token } = sampleToken(l, 0, V, o, new Rng(seed));
      count.set(token, (count.get(token) ?? 0) + 1);
    }
    assert.deepEqual(new Set(count.keys()), new Set(order));
    for (const v of order) {
      const p = probs[v]! / mass;
      const sd = Math.sqrt(draws * p * (1 - p));
      assert.ok(Math.abs(count.get(v)! - draws * p) < 5 * sd, `token ${v}: ${count.get(v)} draws, expected ${(draws * p).toFixed(0)} ± ${sd.toFixed(0)}`);
    }
  });

  it('top-k 1 is greedy; top-k ≥ the vocabulary changes nothing', () => {
    const V = 411;
    const l = logits(new Rng(8), V, 6);
    const greedy = sampleToken(l, 0, V, options({ temperature: 0 }), new Rng(0)).token;
    for (let seed = 0; seed < 50; seed++) {
      assert.equal(sampleToken(l, 0, V, options({ temperature: 1.5, topK: 1 }), new Rng(seed)).token, greedy);
      const all = sampleToken(l, 0, V, options({ temperature: 1.5, topK: V }), new Rng(seed));
      const plain = sampleToken(l, 0, V, options({ temperature: 1.5 }), new Rng(seed));
      assert.equal(all.token, plain.token);
      assert.ok(Math.abs(all.logprob - plain.logprob) < 1e-12);
    }
  });

  it('reports the policy log-probability, before truncation', () => {
    const V = 411;
    const l = logits(new Rng(9), V, 6);
    const { token, logprob } = sampleToken(l, 0, V, options({ temperature: 1.3, topK: 5, topP: 0.8 }), new Rng(3));
    // From the draw's own normaliser, not a second pass: equal to float64 rounding.
    assert.ok(Math.abs(logprob - tokenLogprob(l, 0, V, token, 1.3)) < 1e-12);
  });
});

describe('repetition penalty', () => {
  it('divides a seen positive logit and multiplies a seen negative one, once however often the token occurs', () => {
    const V = 50;
    const l = logits(new Rng(13), V, 4);
    const seen = [3, 3, 3, 7, 12, 49, 7];
    const out = penalized(l, 0, V, 1.3, seen);
    for (let v = 0; v < V; v++) {
      const expected = seen.includes(v) ? (l[v]! < 0 ? l[v]! * 1.3 : l[v]! / 1.3) : l[v]!;
      assert.equal(out[v], expected, `token ${v}`);
    }
  });

  it('changes what is drawn, not the log-probability reported; greedy picks the penalised argmax', () => {
    const V = 20;
    const l = Float32Array.from({ length: V }, (_, v) => (v === 4 ? 5 : v === 9 ? 4.5 : 0));
    const o = options({ temperature: 0, repetitionPenalty: 1.2 });
    assert.equal(sampleToken(l, 0, V, o, new Rng(0), []).token, 4);
    const repeated = sampleToken(l, 0, V, o, new Rng(0), [1, 4]);
    assert.equal(repeated.token, 9, '5 / 1.2 < 4.5');
    assert.equal(repeated.logprob, tokenLogprob(l, 0, V, 9, 1));
    const sampled = sampleToken(l, 0, V, options({ temperature: 0.5, repetitionPenalty: 1e6 }), new Rng(2), [4, 9]);
    assert.notEqual(sampled.token, 4);
    assert.notEqual(sampled.token, 9);
    assert.ok(Math.abs(sampled.logprob - tokenLogprob(l, 0, V, sampled.token, 0.5)) < 1e-12);
  });

  it('reports the unpenalised log-probability from the penalised draw’s normaliser, whatever the seen tokens hold', () => {
    const rng = new Rng(37);
    let cases = 0;
    for (const V of [7, 411, 49_152]) {
      const l = logits(rng, V, 8, 2);
      let argmax = 0;
      for (let v = 1; v < V; v++) if (l[v]! > l[argmax]!) argmax = v;
      const some = Array.from({ length: Math.min(40, V) }, () => Math.floor(rng.next() * V));
      // The seen tokens: a few, the likeliest among them (its weight leaves the sum), or every token.
      for (const seen of [some, [argmax, ...some], [...Array(V).keys()]]) {
        for (const repetitionPenalty of [0.5, 1.05, 1.3, 1e6]) {
          for (const temperature of [0.05, 0.7, 1.2]) {
            for (const [topK, topP] of [
              [0, 1],
              [20, 0.8],
              [0, 0.95],
            ] as const) {
              const { token, logprob } = sampleToken(l, 0, V, options({ temperature, topK, topP, repetitionPenalty }), new Rng(cases), seen);
              const expected = tokenLogprob(l, 0, V, token, temperature);
              assert.ok(
                Math.abs(logprob - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
                `V ${V}, penalty ${repetitionPenalty}, T ${temperature}: ${logprob} vs ${expected}`,
              );
              cases++;
            }
          }
        }
      }
    }
    assert.equal(cases, 3 * 3 * 4 * 3 * 3);
  });
});

describe('greedy log-probabilities from the decode graph’s softmax', () => {
  it('reads log softmax at the token, and falls back to the logits where float32 lost its probability', () => {
    const V = 30;
    const l = logits(new Rng(41), V, 5);
    const lse = l[0]! - tokenLogprob(l, 0, V, 0, 1);
    const softmax = Float32Array.from(l, (x) => Math.exp(x - lse));
    const plain = sampleToken(l, 0, V, options({ temperature: 0 }), new Rng(0), [], softmax);
    assert.equal(plain.logprob, Math.log(softmax[plain.token]!));
    assert.ok(Math.abs(plain.logprob - tokenLogprob(l, 0, V, plain.token, 1)) < 1e-6);
    // The penalty moves the argmax to a token float32 holds only as a denormal (e^-90): the exp pass answers.
    const cold = Float32Array.from({ length: V }, (_, v) => (v === 3 ? 100 : v === 7 ? 10 : 0));
    const underflowed = Float32Array.from(cold, (x) => Math.exp(x - 100));
    const far = sampleToken(cold, 0, V, options({ temperature: 0, repetitionPenalty: 1e6 }), new Rng(0), [3], underflowed);
    assert.equal(far.token, 7);
    assert.equal(far.logprob, tokenLogprob(cold, 0, V, 7, 1));
  });

  it('the loop marks a greedy request, so a decode loop fetches the softmax', async () => {
    const seen: (boolean | undefined)[] = [];
    const loop = async (st: { greedy?: boolean; done: boolean[] }, advance: (i: number, s: ArrayLike<number>, o: number) => void) => {
      seen.push(st.greedy);
      while (!st.done[0]) advance(0, Float32Array.of(0, 1), 0);
    };
    await sampleSequences({ vocabSize: 2, maxTextLen: 8, eos: [] }, { prompts: [[0]], seeds: [0], temperature: 0, maxNewTokens: 2 }, loop);
    await sampleSequences({ vocabSize: 2, maxTextLen: 8, eos: [] }, { prompts: [[0]], seeds: [0], temperature: 0.7, topK: 1, maxNewTokens: 2 }, loop);
    assert.deepEqual(seen, [true, undefined]);
  });
});

describe('the sampling loop', () => {
  it('penalises the prompt and every token drawn so far, and fetches logits (not probabilities) for a truncated draw', async () => {
    const V = 6;
    // The same logits at every position: token 1 best, then 3, then 5.
    const logits = Float32Array.from([0, 5, 0, 4.5, 0, 4.3]);
    const run = (repetitionPenalty: number, topK = 0, temperature = 0) =>
      sampleSequences({ vocabSize: V, maxTextLen: 16, eos: [] }, { prompts: [[1, 0]], seeds: [0], temperature, topK, repetitionPenalty, maxNewTokens: 4 }, async (st, advance) => {
        assert.equal(st.probsAt, undefined);
        while (!st.done[0]) advance(0, logits, 0);
      });
    assert.deepEqual((await run(1)).completions, [[1, 1, 1, 1]]);
    // The prompt's 1: 5 / 1.2 < 4.5; then 4.5 / 1.2 < 4.3; then 4.3 / 1.2 < 5 / 1.2, and 1 stays penalised once.
    assert.deepEqual((await run(1.2)).completions, [[3, 5, 1, 1]]);
    assert.deepEqual((await run(1, 1, 1.3)).completions, [[1, 1, 1, 1]], 'top-k 1 at T 1.3 is greedy');
  });
});

describe('sampling options', () => {
  it('refuses a top-k or a penalty it cannot honour, naming the field', () => {
    for (const [o, field] of [
      [{ topK: -1 }, 'topK'],
      [{ topK: 2.5 }, 'topK'],
      [{ repetitionPenalty: 0 }, 'repetitionPenalty'],
      [{ repetitionPenalty: Number.NaN }, 'repetitionPenalty'],
      [{ repetitionPenalty: Number.POSITIVE_INFINITY }, 'repetitionPenalty'],
    ] as const) {
      assert.throws(() => validateSampling(options(o)), new RegExp(`sampling: ${field} must be`));
    }
  });
});
