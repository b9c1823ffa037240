import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseChain } from '../../../src/core/chain-parser';
import { clearKeyStepMemo, matchKeySteps } from '../../../src/core/step-rar';
import type { KeyStepGroup, KeyStepScope, RewardMode } from '../../../src/core/reward-types';
import { buildChain, generateCorpus } from '../../fixtures/chain-builder';

const match = (text: string, groups: KeyStepGroup[], mode: RewardMode = 'robust', scope: KeyStepScope = 'steps') => matchKeySteps(parseChain(text, mode), groups, mode, scope);
const matched = (text: string, step: string, mode: RewardMode = 'robust') => match(text, [step], mode).results[0]!.matched;
const chainWith = (...steps: string[]) => buildChain({ steps });

describe('StepRAR robust soft matching', () => {
  it('reports ratio, alternative and the span it matched', () => {
    const text = chainWith('Area = 6 × 4 = 24 cm²', 'So the total is 24.');
    const r = match(text, [['area = 6*4', 'six by four'], 'perimeter = 20']);
    assert.equal(r.ratio, 0.5);
    assert.equal(r.results[0]!.alternative, 'area = 6*4');
    assert.equal(r.results[0]!.text, 'area = 6*4 | six by four');
    const [s, e] = r.results[0]!.spans[0]!;
    assert.equal(text.slice(s, e), 'Area = 6 × 4');
    assert.deepEqual(r.results[1], { text: 'perimeter = 20', matched: false, alternative: null, spans: [] });
  });

  it('normalises case, whitespace, operators and LaTeX', () => {
    assert.ok(matched(chainWith('We get $x \\cdot y = \\frac{1}{2}$.'), 'x*y=1/2'));
    assert.ok(matched(chainWith('so \\left( a + b \\right) ÷ 2'), '(a+b)/2'));
    assert.ok(matched(chainWith('5 − 3 = 2'), '5-3=2'));
    assert.ok(matched(chainWith('ＡＢ = 3'), 'ab=3'));
    assert.ok(matched(chainWith('\\frac{x+1}{2} = 4'), '(x+1)/2=4'));
  });

  it('canonicalises numbers: 3.0 ≡ 3, 1,000 ≡ 1000, 0.50 ≡ .5', () => {
    assert.ok(matched(chainWith('total = 3.0'), 'total = 3'));
    assert.ok(matched(chainWith('cost is 1,000 dollars'), '1000 dollars'));
    assert.ok(matched(chainWith('p = 0.50'), 'p = .5'));
  });

  it('matches equations with sides swapped', () => {
    assert.ok(matched(chainWith('so 12 = 3x'), '3x = 12'));
    assert.ok(!matched(chainWith('so 12 ≤ 3x'), '3x >= 12'));
  });

  it('respects number boundaries', () => {
    assert.ok(!matched(chainWith('x = 50'), 'x = 5'));
    assert.ok(!matched(chainWith('x = 5.5'), 'x = 5'));
    assert.ok(!matched(chainWith('we have 15 apples'), '5 apples'));
    assert.ok(matched(chainWith('x = 5, y = 50'), 'x = 5'));
  });

  it('scope: steps only (paper) or the whole chain', () => {
    const text = buildChain({ rationale: 'Use the Pythagorean theorem.' });
    assert.equal(match(text, ['pythagorean theorem'], 'robust', 'steps').ratio, 0);
    assert.equal(match(text, ['pythagorean theorem'], 'robust', 'chain').ratio, 1);
  });

  it('an empty key-step list gives ratio 0', () => {
    assert.deepEqual(match(buildChain(), []), { ratio: 0, results: [] });
  });
});

describe('StepRAR r1vl (substring over joined, lower-cased step bodies)', () => {
  it('matches lower-cased substrings of step bodies only', () => {
    const text = buildChain({ description: 'blue circles everywhere' });
    assert.equal(match(text, ['THERE ARE 3 SQUARES', 'blue circles everywhere', ''], 'r1vl').ratio, 2 / 3);
  });

  it('has no soft matching: numbers and spacing must be literal', () => {
    const text = chainWith('total = 3.0');
    assert.ok(matched(text, 'total = 3', 'r1vl')); // a plain substring of "total = 3.0"
    assert.ok(!matched(text, 'total = 3.00', 'r1vl'));
    assert.ok(!matched(chainWith('x=5'), 'x = 5', 'r1vl'));
  });

  it('bodies are joined by single spaces, so a key step may span two steps', () => {
    assert.ok(matched(chainWith('first part', 'second part'), 'part second', 'r1vl'));
  });

  it('the last body runs to the very end of the text, a final newline included (the released `\\Z`)', () => {
    const text = '### Image Description:\nd\n### Rationales:\nr\n### Step 1:\nthe tail\n';
    assert.equal(match(text, ['tail\n'], 'r1vl').ratio, 1);
    assert.equal(match(text + 'x', ['tail\n'], 'r1vl').ratio, 1);
    assert.equal(match('### Step 1:\nthe tail', ['tail\n'], 'r1vl').ratio, 0);
  });

  it('a step header on the same line as an earlier step belongs to that body', () => {
    const text = '### Step 1: a ### Step 2: b\n### The final answer is: 1';
    const r = match(text, ['a ### step 2: b'], 'r1vl');
    assert.equal(r.ratio, 1);
    const [s, e] = r.results[0]!.spans[0]!;
    assert.equal(text.slice(s, e), 'a ### Step 2: b');
  });
});

describe('StepRAR key-step memo (G chains share one reference)', () => {
  it('a memoised key step matches exactly as a freshly normalised one, in both scopes', () => {
    const corpus = generateCorpus(300, 11);
    for (const scope of ['steps', 'chain'] as const) {
      const cold = corpus.map((c) => {
        clearKeyStepMemo();
        return matchKeySteps(parseChain(c.text), c.keySteps, 'robust', scope);
      });
      const warm = corpus.map((c) => matchKeySteps(parseChain(c.text), c.keySteps, 'robust', scope));
      assert.deepEqual(warm, cold);
    }
  });

  it('the same key step scores each chain of a group on its own text', () => {
    const keySteps = ['x = 5', ['12 apples', 'twelve apples']];
    const hit = chainWith('so x = 5 and we have 12 apples');
    const miss = chainWith('so x = 50 and we have 13 apples');
    assert.equal(match(hit, keySteps).ratio, 1);
    assert.equal(match(miss, keySteps).ratio, 0);
    assert.equal(match(hit, keySteps).ratio, 1);
  });

  it('long key steps (not memoised) still match', () => {
    const long = `${'a + '.repeat(200)}b = 7`;
    assert.ok(matched(chainWith(`We sum: ${long}.`), long));
    assert.ok(!matched(chainWith(`We sum: ${long}0.`), long));
  });
});
