import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { groupAdvantages, referenceGrpoLoss, k3KL } from '../../../src/core/grpo';

const R1VL = { beta: 0.04, epsLow: 0.2, epsHigh: 0.2, aggregation: 'sequence' } as const;
const grpoLoss = (inputs: Parameters<typeof referenceGrpoLoss>[0], over: Partial<Parameters<typeof referenceGrpoLoss>[1]> = {}) => referenceGrpoLoss(inputs, { ...R1VL, ...over });

describe('groupAdvantages', () => {
  it('normalises within each group with the unbiased std + eps', () => {
    const adv = groupAdvantages([1, 0, 0, 1, 2, 2, 2, 2], 4);
    const std = Math.sqrt((4 * 0.25) / 3);
    assert.ok(Math.abs(adv[0]! - 0.5 / (std + 1e-4)) < 1e-12);
    assert.ok(Math.abs(adv[1]! + 0.5 / (std + 1e-4)) < 1e-12);
    assert.deepEqual(adv.slice(4), [0, 0, 0, 0]);
  });
  it('Dr.GRPO mode only centres', () => {
    assert.deepEqual(groupAdvantages([3, 1], 2, { scaleStd: false }), [1, -1]);
  });
  it('rejects rewards that do not split into groups', () => {
    assert.throws(() => groupAdvantages([1, 2, 3], 2), /do not split into groups of 2/);
  });
});

describe('k3KL', () => {
  it('is zero at equality and positive elsewhere', () => {
    assert.equal(k3KL(-1.5, -1.5), 0);
    assert.ok(k3KL(-1, -2) > 0 && k3KL(-2, -1) > 0);
  });
});

describe('referenceGrpoLoss', () => {
  it('equals −A at ratio 1 and zero KL, and aggregates per sequence vs per token differently', () => {
    const logp = [
      [-1, -1, -1],
      [-2, -2, 0],
    ];
    const mask = [
      [1, 1, 1],
      [1, 0, 0],
    ];
    const inputs = { logp, oldLogp: logp, refLogp: logp, mask, advantages: [1, -2] };
    const seq = grpoLoss(inputs, { aggregation: 'sequence' });
    assert.ok(Math.abs(seq.loss - (-1 + 2) / 2) < 1e-12);
    const tok = grpoLoss(inputs, { aggregation: 'token' });
    assert.ok(Math.abs(tok.loss - (-3 + 2) / 4) < 1e-12);
    assert.equal(seq.kl, 0);
  });
  it('clips the ratio for positive advantages above 1 + ε', () => {
    const r = grpoLoss({ logp: [[0]], oldLogp: [[-1]], refLogp: [[0]], mask: [[1]], advantages: [1] }, { beta: 0 });
    assert.ok(Math.abs(r.loss + 1.2) < 1e-12);
    assert.equal(r.clipRatio, 1);
  });
});
