import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { REWARD_PRESETS, resolveRewardConfig, scoreChain } from '../../../src/core/reward';
import { buildChain } from '../../fixtures/chain-builder';

const KEY_STEPS = ['3 squares', '4 circles', '3 + 4 = 7', 'hexagon'];

describe('scoreChain composition (paper definitions)', () => {
  it('stepgrpo: total = (1[correct] + α·ratio) + r_val', () => {
    const r = scoreChain(buildChain(), { answer: '7', keySteps: KEY_STEPS });
    assert.equal(r.key_step_ratio, 0.75);
    assert.equal(r.r_acc, 1 + 0.1 * 0.75);
    assert.equal(r.r_val, 1);
    assert.equal(r.total, r.r_acc + 1);
    assert.equal(r.answer, '7');
    assert.deepEqual(Object.keys(r).sort(), ['answer', 'answer_correct', 'key_step_ratio', 'key_steps', 'mode', 'r_acc', 'r_val', 'total', 'validity', 'violations'].sort());
  });

  it('grpo-outcome: the answer only', () => {
    const r = scoreChain(buildChain({ rationale: null }), { answer: '7', keySteps: KEY_STEPS }, 'grpo-outcome');
    assert.equal(r.total, 1);
    assert.equal(r.r_val, 0);
    assert.equal(scoreChain(buildChain({ answer: '8' }), { answer: '7' }, 'grpo-outcome').total, 0);
  });

  it('r1vl-official: literal rules, α = 0.1, weights 1/1', () => {
    const r = scoreChain(buildChain(), { answer: '7', keySteps: KEY_STEPS }, 'r1vl-official');
    assert.equal(r.mode, 'r1vl');
    assert.equal(r.total, 1 + 0.1 * 0.75 + 1);
  });

  it('takes the gold answer from a reference solution when no answer is given', () => {
    const solution = buildChain({ answer: '\\frac{7}{1}' });
    assert.equal(scoreChain(buildChain(), { solution }).answer_correct, true);
    assert.equal(scoreChain(buildChain({ answer: '6' }), { solution }).answer_correct, false);
  });

  it('custom weights and α', () => {
    const r = scoreChain(buildChain(), { answer: '7', keySteps: KEY_STEPS }, { alpha: 1, w_acc: 2, w_val: 0.5 });
    assert.equal(r.total, 2 * (1 + 0.75) + 0.5);
  });

  it('no reference: validity still counts, answer is wrong', () => {
    const r = scoreChain(buildChain(), {});
    assert.equal(r.answer_correct, false);
    assert.equal(r.total, 1);
  });
});

describe('resolveRewardConfig', () => {
  it('presets and partial configs', () => {
    assert.deepEqual(resolveRewardConfig(), REWARD_PRESETS.stepgrpo);
    assert.deepEqual(resolveRewardConfig('r1vl-official'), REWARD_PRESETS['r1vl-official']);
    assert.equal(resolveRewardConfig({ scope: 'chain' }).scope, 'chain');
    assert.equal(resolveRewardConfig({ mode: 'r1vl' }).mode, 'r1vl');
  });
  it('errors name the bad field or value', () => {
    assert.throws(() => resolveRewardConfig('stepgrp' as never), /unknown preset "stepgrp"/);
    assert.throws(() => resolveRewardConfig({ mode: 'strict' as never }), /mode must be one of r1vl, robust, got "strict"/);
    assert.throws(() => resolveRewardConfig({ alpha: Number.NaN }), /alpha must be a finite number/);
    assert.throws(() => resolveRewardConfig({ scope: 'all' as never }), /scope must be one of steps, chain/);
    assert.throws(() => resolveRewardConfig({ beta: 1 } as never), /unknown field "beta"/);
    assert.throws(() => resolveRewardConfig({ w_acc: '1' as never }), /w_acc must be a finite number, got "1"/);
  });
});
