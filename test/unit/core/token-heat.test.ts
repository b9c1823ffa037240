// Token heat round trip: each series back within half a quantisation step (clamped at the ends),
// base64 against Node's own encoder, and series that do not fit together named.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ADVANTAGE_SCALE, decodeTokenHeat, encodeTokenHeat, ENTROPY_SCALE, fromBase64, LOGP_SCALE, toBase64 } from '../../../src/core/token-heat';
import { heatSequences, tokenLengths } from '../../../src/trainer/token-heat-recorder';
import { rng } from '../../fixtures/chain-builder';

describe('token heat', () => {
  it('base64 matches Node for every length mod 3', () => {
    const rand = rng(3);
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
      assert.equal(toBase64(bytes), Buffer.from(bytes).toString('base64'));
      assert.deepEqual(fromBase64(toBase64(bytes)), bytes);
    }
    assert.equal(fromBase64('ab$='), undefined);
  });

  it('decodes each series within half a step of what was recorded', () => {
    const rand = rng(11);
    const n = 300;
    const series = {
      lengths: Array.from({ length: n }, () => Math.floor(rand() * 6)),
      logp: Array.from({ length: n }, () => -rand() * 12),
      entropy: Array.from({ length: n }, () => rand() * 6),
      advantage: Array.from({ length: n }, () => (rand() - 0.5) * 6),
    };
    const back = decodeTokenHeat(encodeTokenHeat(series));
    assert.ok(!('error' in back));
    assert.deepEqual(back.lengths, series.lengths);
    series.logp.forEach((v, i) => assert.ok(Math.abs(back.logp[i]! - v) <= 0.5 / LOGP_SCALE + 1e-9));
    series.entropy.forEach((v, i) => assert.ok(Math.abs(back.entropy[i]! - v) <= 0.5 / ENTROPY_SCALE + 1e-9));
    series.advantage.forEach((v, i) => assert.ok(Math.abs(back.advantage[i]! - v) <= 0.5 / ADVANTAGE_SCALE + 1e-9));
  });

  it('clamps values beyond the range and names series of different lengths', () => {
    const back = decodeTokenHeat(encodeTokenHeat({ lengths: [300], logp: [-40], entropy: [20], advantage: [-9] }));
    assert.deepEqual(back, { lengths: [255], logp: [-255 / LOGP_SCALE], entropy: [255 / ENTROPY_SCALE], advantage: [-128 / ADVANTAGE_SCALE] });
    assert.deepEqual(decodeTokenHeat({ len: 'AAA=', logp: 'AA==', entropy: 'AAA=', adv: 'AAA=' }), { error: 'tokenHeat.logp holds 1 tokens, tokenHeat.len 2' });
  });

  it('picks whole groups up to the bound, at least one group', () => {
    assert.deepEqual(heatSequences(16, 8), [...Array(16).keys()]);
    assert.deepEqual(heatSequences(16, 32), [...Array(32).keys()]);
    assert.deepEqual(heatSequences(1, 4), [0, 1, 2, 3]);
  });

  it('gives each token the text it adds (a character completed late lands on the token that completes it)', () => {
    // A codec whose ids are characters, except 0 which starts a pair only shown once 1 follows.
    const codec = {
      vocabSize: 3,
      promptIds: () => [],
      completionIds: () => [],
      chainText: (ids: readonly number[]) => ids.map((id, k) => (id === 0 ? (ids[k + 1] === 1 ? 'é' : '') : id === 1 ? '' : 'x')).join(''),
    };
    assert.deepEqual(tokenLengths(codec, [2, 0, 1, 2]), [1, 0, 1, 1]);
  });
});
