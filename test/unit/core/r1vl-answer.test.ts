// r1vl answer mode against the released accuracy_reward: every corpus case carries the result the
// released code gives and the reasoning from its source (test/fixtures/r1vl-answer-corpus.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { R1VL_CASES, chain } from '../../fixtures/r1vl-answer-corpus';
import { r1vlAnswer, r1vlAnswerLine } from '../../../src/core/answer/r1vl/accuracy';
import { boxedContent } from '../../../src/core/answer/r1vl/mv-boxed';
import { normalizeLatex } from '../../../src/core/answer/r1vl/mv-normalize';
import { scoreChain } from '../../../src/core/reward';
import { mvParse } from '../../../src/core/answer/r1vl/mv-parse';
import { mvVerify } from '../../../src/core/answer/r1vl/mv-verify';
import { loadAnswerCases } from '../../fixtures/chains/answer-cases';

describe('r1vl answers = the released accuracy_reward (Math-Verify 0.8.0)', () => {
  for (const c of R1VL_CASES) {
    it(`${c.id}: ${c.expected ? 'correct' : 'wrong'} — ${c.why}`, () => {
      assert.equal(r1vlAnswer(c.completion, c.solution).correct, c.expected);
    });
  }

  it('r_acc through the reward: 1[correct] + 0.1 · key-step ratio', () => {
    for (const c of R1VL_CASES) {
      const r = scoreChain(c.completion, { solution: c.solution, keySteps: ['figure'] }, 'r1vl-official');
      assert.equal(r.answer_correct, c.expected, c.id);
      const ratio = c.completion.includes('### Step 1:') && /figure/i.test(c.completion.slice(c.completion.indexOf('### Step 1:'))) ? 1 : 0;
      assert.equal(r.key_step_ratio, ratio, c.id);
      assert.ok(Math.abs(r.r_acc - ((c.expected ? 1 : 0) + 0.1 * ratio)) < 1e-12, c.id);
    }
  });

  it('without solution the `answer` field is the solution text', () => {
    assert.equal(scoreChain(chain(['a'], 'B'), { answer: 'B' }, 'r1vl-official').answer_correct, true);
  });
});

describe('the string fallback line', () => {
  it('is the first non-blank line after the first header, stripped', () => {
    assert.equal(r1vlAnswerLine('x\n### The final answer is:\n\n  42 \nmore').text, '42');
    assert.equal(r1vlAnswerLine('### The final answer is: 7\n### The final answer is: 8').text, '7');
    assert.equal(r1vlAnswerLine('### The final answer is:   ').text, '');
    assert.equal(r1vlAnswerLine('  just text \n').text, 'just text');
  });
});

describe('Math-Verify normalisation pieces', () => {
  it('boxed: all boxes joined, or the last one with its close neighbours', () => {
    assert.equal(boxedContent('a \\boxed{1} and \\boxed{2}', 'all'), '1,2');
    assert.equal(boxedContent('\\boxed{1} no no no no no no no no \\boxed{2}', 'last'), '2');
    assert.equal(boxedContent('\\boxed{1}, \\boxed{2}', 'last'), '1,2');
    assert.equal(boxedContent('\\boxed{12', 'last'), '{12');
  });
  it('units, \\text at the end, malformed fractions and roots', () => {
    assert.equal(normalizeLatex('12 cm', 'all'), '12');
    assert.equal(normalizeLatex('5\\text{ apples}', 'all'), '5');
    assert.equal(normalizeLatex('\\frac12', 'all'), '\\frac{1}{2}');
    assert.equal(normalizeLatex('\\sqrt3', 'all'), '\\sqrt{3}');
    assert.equal(normalizeLatex('2/3', 'all'), '\\frac{2}{3}');
    assert.equal(normalizeLatex('\\dfrac{1}{2}', 'all'), '\\frac{1}{2}');
    assert.equal(normalizeLatex('0.5', 'all'), '\\frac{1}{2}');
  });
});

describe("the Math-Verify port against Math-Verify's own test cases", () => {
  // verify(parse(gold), parse(pred)) with the default extraction (LaTeX + expressions); the suite's
  // expectations come from per-case configurations and a CAS, so this is a floor, not an identity
  it('agrees on at least 88% of ../shared/data/answer-equivalence-cases.jsonl (fails when the file is missing)', () => {
    const cases = loadAnswerCases();
    const agree = cases.filter((c) => mvVerify(mvParse(c.gold), mvParse(c.pred)) === c.expected).length;
    assert.ok(agree / cases.length >= 0.88, `${agree}/${cases.length}`);
  });
  it('reads what latex2sympy reads: >=, !=, \\approx, \\in, \\pm, {a, b}', () => {
    const same = (a: string, b: string) => mvVerify(mvParse(a), mvParse(b));
    assert.ok(same('$x >= 5$', '$x \\geq 5$'));
    assert.ok(same('$x \\neq 3$', '$x != 3$'));
    assert.ok(same('$11$', '$x\\approx11$'));
    assert.ok(same('$-2 \\le x \\le 7$', '$x \\in [-2,7]$'));
    assert.ok(!same('$\\pm 2021$', '$2021$'));
    assert.ok(same('$(1,3)$', '${1,3}$'));
    assert.ok(same('$(p,q)=(3,2)$', '$(3,2)$'));
  });
});
