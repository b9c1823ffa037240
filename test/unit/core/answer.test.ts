import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkAnswer, checkFreeFormAnswer } from '../../../src/core/answer/equivalence';
import { answerCore } from '../../../src/core/answer/locate';
import { scoreChain } from '../../../src/core/reward';
import { buildChain } from '../../fixtures/chain-builder';

const same = (pred: string, gold: string) => checkAnswer(pred, gold).correct;
const sameFreeForm = (pred: string, gold: string) => checkFreeFormAnswer(pred, gold).correct;
/** A long model output: `filler` sentences of working with numbers in them, then `ending`. */
const modelOutput = (ending: string, filler = 3) =>
  Array.from({ length: filler }, (_, i) => `Step ${i + 1} gives $x_${i} = ${i + 7}$ and ${i + 40} more.`).join(' ') + ' ' + ending;

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
    assert.ok(same('\\approx 0.3333', '\\frac{1}{3}'));
    assert.ok(!same('\\approx 0.3', '\\frac{1}{3}'));
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
  it('r1vl: Math-Verify over the whole texts, then the first non-blank line after the header (see r1vl-answer.test.ts)', () => {
    assert.equal(scoreChain(buildChain({ answer: '\\frac{14}{2}' }), { answer: '7' }, 'r1vl-official').answer_correct, true);
    // the released regex `### The final answer is:\s*\n?(.*)` runs over the line break: the answer is read
    const nextLine = buildChain({ answer: '' }) + '\n\n7';
    assert.equal(scoreChain(nextLine, { answer: '7' }, 'r1vl-official').answer, '7');
  });
});

describe('where the answer is inside an answer text', () => {
  it('the last box counts; boxes joined by a conjunction or punctuation form one list', () => {
    assert.equal(answerCore(modelOutput('So \\boxed{5}. Final Answer: \\boxed{7}')), '7');
    assert.equal(answerCore('$\\boxed{-2} \\quad \\text{and} \\quad \\boxed{1}$'), '-2, 1');
    assert.equal(answerCore('\\( y_1 = \\boxed{x+1} \\) and \\( y_2 = \\boxed{x-1} \\)'), 'x+1, x-1');
    assert.equal(answerCore('\\boxed{143} **Final Answer** \\boxed{143}'), '143');
    assert.ok(!same('\\boxed{1} no no no no no \\boxed{2}', '1, 2'));
    assert.ok(same('\\boxed{1} no no no no no \\boxed{2}', '2'));
  });
  it('an answer lead after the last box wins; its sentence ends at a full stop', () => {
    assert.ok(same(modelOutput('so $\\boxed{200}$ first. Final Answer: The final answer is $10,455$. I hope it is correct.'), '10455'));
    assert.ok(same('The answer is $\\frac{1}{2}$. Check: $x = 3$.', '1/2'));
  });
  it('a copula with a value after it names the answer', () => {
    assert.ok(same('The area of the square is 12 square cm.', '12'));
    assert.ok(same('Final Answer: The largest $n$ is 34.', '34'));
  });
  it('unclosed boxes run to the end of the text', () => {
    assert.equal(answerCore('so \\boxed{W(n) = 1'), 'W(n) = 1');
  });
});

describe('free-form predictions vs answer sections', () => {
  it('a free-form prediction may state its answer only in prose (last number); an answer section only after a lead, with one number', () => {
    const prose = 'Final Answer: Jane started growing Sphere 3 hours ago. I hope it is correct.';
    assert.ok(sameFreeForm(prose, '3'));
    assert.ok(same(prose, '3'));
    assert.ok(!same('Final Answer: Sphere 3 started 5 hours ago.', '3'));
    assert.ok(!same('Sphere 3 hours ago', '3'));
    assert.ok(same('Therefore, there are 12 distinct sequences. I hope it is correct.', '12'));
    assert.ok(sameFreeForm('the number is not 10 which is 1,000.99€', '1000.99'));
    assert.ok(!same('It took 3 hours, maybe four', '3'));
    assert.ok(sameFreeForm('It took 3 hours, maybe four', '3'));
  });
  it('free-form: the later of the last math and the last prose number', () => {
    assert.ok(sameFreeForm(modelOutput('Therefore, there are 12 distinct sequences.'), '12'));
    assert.ok(sameFreeForm(modelOutput('so the value is $\\frac{3}{4}$ in the end'), '3/4'));
  });
});

describe('answer text normalisation', () => {
  it('TeX thousands separators and over-escaped commands', () => {
    assert.ok(same('$14{,}916$', '14916'));
    assert.ok(same('$11,\\! 111,\\! 100$', '11111100'));
    assert.ok(same('\\\\left(\\\\frac{1}{5},\\\\frac{1}{6}\\\\right)', '(\\frac{1}{5}, \\frac{1}{6})'));
  });
  it('units: words and metric symbols, never a command or a glued letter', () => {
    assert.ok(same('$\\frac{1}{3} \\text{meters}$', '1/3'));
    assert.ok(same('1,000.99m²', '1000.99'));
    assert.ok(!same('4\\sqrt{2}', '4'));
    assert.ok(!same('2x', '2'));
    assert.ok(!same('2\\pi', '2'));
  });
});

describe('what an answer states', () => {
  it('labels: names, tuples, ratios and quotients of names are dropped on the left of =', () => {
    assert.ok(same('(3, 2)', '(p,q)=(3,2)'));
    assert.ok(same('1', 'A:B=1'));
    assert.ok(same('11:21', 'V_{1}:V_{2}=11:21'));
    assert.ok(same('\\frac{1}{\\sqrt{6}}', '\\frac{NO}{BO}=\\frac{1}{\\sqrt{6}}'));
    assert.ok(!same('(2, 3)', '(p,q)=(3,2)'));
    assert.ok(!same('5', '2x+1=5'));
  });
  it('a predicted computation states its last side', () => {
    assert.ok(same('\\frac{1}{2} \\$ = \\frac{10}{9}', '10/9'));
  });
  it('equations compare as the same solution set; labelled lists item by item', () => {
    assert.ok(same('y=-\\frac{1}{2}x+\\frac{3}{4}', '2x+4y-3=0'));
    assert.ok(!same('y=\\frac{1}{2}x+\\frac{3}{4}', '2x+4y-3=0'));
    assert.ok(same('-5, \\frac{14}{3}', 'x = -5,\\ p = \\frac{14}{3}'));
    assert.ok(same('a_{37} = 19, a_3 = 2', 'a_3 = 2, a_{37} = 19'));
    assert.ok(same('(5,2),(7,2)', 'p=5,q=2;p=7,q=2'));
  });
  it('relations rearranged, inequalities as sets', () => {
    assert.ok(same('-x > -1', 'x < 1'));
    assert.ok(!same('-x < -1', 'x < 1'));
    assert.ok(same('-x \\geq -1', 'x \\leq 1'));
    assert.ok(!same('-x > -1', 'x \\leq 1'));
    assert.ok(same('x \\in [-2,7]', '-2 \\le x \\le 7'));
    assert.ok(same('(-793, 10)', '-793 < a < 10'));
    assert.ok(!same('[-793, 10)', '-793 < a < 10'));
    assert.ok(same('[5, \\infty)', 'x \\geq 5'));
    assert.ok(!same('(5, \\infty)', 'x \\geq 5'));
  });
  it('\\pm is the two values', () => {
    assert.ok(same('{-2021, 2021}', '\\pm 2021'));
    assert.ok(same('1+\\sqrt{2}, 1-\\sqrt{2}', '1 \\pm \\sqrt{2}'));
    assert.ok(!same('2021', '\\pm 2021'));
  });
});

describe('structured answers', () => {
  it('matrices compare cell by cell whatever the environment', () => {
    const m = (env: string, cells: string[][]) => `\\begin{${env}}${env === 'array' ? '{cc}' : ''}${cells.map((r) => r.join(' & ')).join(' \\\\ ')}\\end{${env}}`;
    const cells = [
      ['1', '2'],
      ['3', '4'],
    ];
    assert.ok(same(`\\left[${m('array', cells)}\\right]`, m('pmatrix', cells)));
    assert.ok(
      same(
        m('bmatrix', [
          ['0.5', '2'],
          ['3', '4'],
        ]),
        m('pmatrix', [
          ['\\frac{1}{2}', '2'],
          ['3', '4'],
        ]),
      ),
    );
    assert.ok(
      !same(
        m('bmatrix', [
          ['1', '3'],
          ['2', '4'],
        ]),
        m('pmatrix', cells),
      ),
    );
    assert.ok(!same(m('bmatrix', [['1', '2']]), m('pmatrix', cells)));
  });
  it('sets ignore repetition; a bare list reads as the tuple in parentheses', () => {
    assert.ok(same('(3,2,7),(1,1,1),(3,2,7)', '(1,1,1),(3,2,7)'));
    assert.ok(!same('(3,2,7),(1,1,2)', '(1,1,1),(3,2,7)'));
    assert.ok(same('{1,3}', '(1,3)'));
    assert.ok(same('(11,7)or(7,11)', '(7,11), (11,7)'));
  });
});
