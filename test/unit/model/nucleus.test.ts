import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../../src/model/rng';
import { nucleus } from '../../../src/model/sampler';
import { lmLogits as logits, nucleusBySortingAll, samplingWeights } from '../../support/nucleus-reference';

describe('nucleus (top-p) without sorting every token', () => {
  it('keeps exactly the tokens, in the order and with the mass, that sorting every token gives', () => {
    const rng = new Rng(11);
    let cases = 0;
    for (const V of [2, 7, 411, 5_000, 49_152]) {
      for (const spread of [0.5, 4, 20, 60]) {
        for (const steps of [0, 2]) {
          const l = logits(rng, V, spread, steps);
          for (const temperature of [0.3, 1, 1.3, 5]) {
            const { probs, sum } = samplingWeights(l, temperature);
            for (const topP of [0.05, 0.5, 0.9, 0.95, 0.999999, 1 - 1e-15]) {
              assert.deepEqual(nucleus(probs, sum, topP), nucleusBySortingAll(probs, sum, topP), `V ${V}, spread ${spread}, steps ${steps}, T ${temperature}, topP ${topP}`);
              cases++;
            }
          }
        }
      }
    }
    assert.equal(cases, 5 * 4 * 2 * 4 * 6);
  });

  it('a flat distribution (every weight 1) keeps the lowest ids, and a one-token one keeps that token', () => {
    const flat = samplingWeights(new Float32Array(1000), 1);
    assert.deepEqual(nucleus(flat.probs, flat.sum, 0.25), nucleusBySortingAll(flat.probs, flat.sum, 0.25));
    assert.deepEqual(nucleus(flat.probs, flat.sum, 0.25).order, [...Array(250).keys()]);
    const peaked = Float32Array.from({ length: 500 }, (_, v) => (v === 123 ? 50 : 0));
    const p = samplingWeights(peaked, 1);
    assert.deepEqual(nucleus(p.probs, p.sum, 0.9).order, [123]);
  });
});
