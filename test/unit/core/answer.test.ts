import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkAnswer } from '../../../src/core/answer/equivalence';
import { scoreChain } from '../../../src/core/reward';
import { buildChain } from '../../fixtures/chain-builder';

const same = (pred: string, gold: string) => checkAnswer(pred, gold).correct;

describe('answer checking fast paths', () => {
  it('numbers: tolerance, separators, decimals', () => {
    assert.ok(same('7,425,000', '7425000'));
    assert.ok(same('1000.0', '1000'));
    assert.ok(same('.4', '0.4'));
    assert.ok(!same('0.41', '0.4'));
    assert.equal(checkAnswer('12', '12.0000000001').path, 'number');
    assert.ok(same('12', '12.0000000001'));
  });
  it('fractions, percentages, degrees', () => {
    assert.ok(same('\\frac{10}{9}', '10/9'));
    assert.ok(same('-\\frac{10}{9}', '-10/9'));
    assert.ok(same('0.3333', '\\frac{1}{3}'));
    assert.ok(!same('0.3', '\\frac{1}{3}'));
    assert.ok(same('28 percent', '28\\%'));
    assert.ok(same('$90^\\circ$', '90°'));
  });
  it('multiple choice letters', () => {
    assert.ok(same('B', 'B'));
    assert.ok(same('(B)', 'B'));
    assert.ok(same('B. 12', 'B'));
    assert.ok(same('Option B', '(B)'));
    assert.ok(same('$\\boxed{\\text{(C)}}$.', 'C'));
    assert.ok(!same('C', 'B'));
    assert.ok(!same('A triangle', 'A'));
  });
  it('boxed, math delimiters and trailing punctuation are stripped', () => {
    assert.ok(same('The answer is $\\boxed{42}$.', '42'));
    assert.ok(same('\\( 9 \\)', '9'));
  });
  it('structure: tuples ordered, sets unordered, intervals by bracket', () => {
    assert.ok(same('(1, 4.5)', '(1,\\frac{9}{2})'));
    assert.ok(!same('(2, 1)', '(1, 2)'));
    assert.ok(same('\\{2, 1\\}', '\\{1,2\\}'));
    assert.ok(!same('[0,9)', '(0,9)'));
    assert.ok(same('x \\geq 5', 'x >= 5'));
    assert.ok(same('5 \\leq x', 'x \\geq 5'));
    assert.ok(!same('x < 5', 'x > 5'));
    assert.ok(same('k = 1', '1'));
  });
  it('symbolic slow path (compute-engine)', () => {
    const r = checkAnswer('\\frac{x}{7}+\\frac{2}{7}', '\\frac{x+2}{7}');
    assert.deepEqual(r, { correct: true, path: 'symbolic' });
    assert.ok(same('2\\sqrt{2}', '\\sqrt{8}'));
    assert.ok(!same('x+1', 'x+2n+1'));
  });
});

describe('answer extraction inside chains', () => {
  it('robust: only the final-answer section, never a number elsewhere', () => {
    const text = buildChain({ answer: 'I am not sure' });
    const r = scoreChain(text, { answer: '7' });
    assert.equal(r.answer, 'I am not sure');
    assert.equal(r.answer_correct, false);
  });
  it('r1vl: the first line after the first header, exact or symbolically equal', () => {
    assert.equal(scoreChain(buildChain({ answer: '\\frac{14}{2}' }), { answer: '7' }, 'r1vl-official').answer_correct, true);
    const nextLine = buildChain({ answer: '' }) + '\n7';
    assert.equal(scoreChain(nextLine, { answer: '7' }, 'r1vl-official').answer, '');
  });
});
