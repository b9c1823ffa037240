// Property tests (fast-check) of the robust answer checker: no false positives on numbers,
// labels or long texts, and equality that does not depend on which side is the gold.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkAnswer } from '../../../src/core/answer/equivalence';
import { scoreChain } from '../../../src/core/reward';

const same = (pred: string, gold: string): boolean => checkAnswer(pred, gold).correct;
const runs = { numRuns: 300 };

/** An integer as digits, up to 30 of them (well past 2^53). */
const bigInt = fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n });
const withThousands = (n: bigint): string => {
  const s = (n < 0n ? -n : n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0n ? `-${s}` : s;
};

describe('robust answers: integers are exact', () => {
  it('two different integers are never equal, however close or large', () => {
    fc.assert(
      fc.property(bigInt, fc.bigInt({ min: 1n, max: 1000n }), fc.boolean(), (n, d, commas) => {
        const m = n + d;
        const show = commas ? withThousands : (x: bigint) => x.toString();
        assert.equal(same(show(m), show(n)), false, `${m} vs ${n}`);
        assert.equal(same(`$${m}$`, `\\boxed{${n}}`), false);
      }),
      runs,
    );
  });

  it('an integer equals itself in any presentation', () => {
    fc.assert(
      fc.property(bigInt, (n) => {
        assert.ok(same(withThousands(n), n.toString()));
        assert.ok(same(`$\\boxed{${n}}$.`, n.toString()));
      }),
      runs,
    );
  });

  it('the reported cases', () => {
    assert.equal(same('10000001', '10000000'), false);
    assert.equal(same('123456789', '123456788'), false);
    assert.equal(same('999999999', '1000000000'), false);
    assert.equal(same('10^{10}+1', '10^{10}'), false);
    assert.equal(same('10^{8}', '100000001'), false);
    assert.ok(same('3 \\times 10^{8}', '300000000'));
  });
});

describe('robust answers: tolerance only where a decimal point or a division is written', () => {
  it('a decimal within the relative tolerance of the gold is equal', () => {
    assert.ok(same('12', '12.0000000001'));
    assert.ok(same('1000.0', '1000'));
    assert.ok(same('0.333333', '\\frac{1}{3}'));
  });
  it('tiny magnitudes are told apart', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 5, max: 14 }), (a, b, e) => {
        fc.pre(a !== b);
        assert.equal(same(`${a}e-${e}`, `${b}e-${e}`), false);
        assert.equal(same(`${a} \\times 10^{-${e}}`, `${b} \\times 10^{-${e}}`), false);
        assert.equal(same(`0.${'0'.repeat(e - 1)}${a}`, `0.${'0'.repeat(e - 1)}${b}`), false);
      }),
      { numRuns: 60 },
    );
    assert.equal(same('0.00', '\\frac{1}{1000}'), false);
  });
});

/** Numbers in the forms answers take: integers, decimals, fractions, percentages. */
const numberForm = fc.oneof(
  fc.integer({ min: -5000, max: 5000 }).map(String),
  fc.tuple(fc.integer({ min: -500, max: 500 }), fc.integer({ min: 0, max: 99 })).map(([a, b]) => `${a}.${String(b).padStart(2, '0')}`),
  fc.tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 50 })).map(([a, b]) => `\\frac{${a}}{${b}}`),
  fc.integer({ min: 0, max: 100 }).map((n) => `${n}\\%`),
);

describe('robust answers: symmetric equality', () => {
  it('numbers: equal one way iff equal the other way', () => {
    fc.assert(
      fc.property(numberForm, numberForm, (a, b) => {
        assert.equal(same(a, b), same(b, a), `${a} vs ${b}`);
      }),
      runs,
    );
  });
  it('labelled values: equal one way iff equal the other way, and only for the same variable', () => {
    const label = fc.constantFrom('x', 'y', 'a_1', 'f(x)');
    fc.assert(
      fc.property(label, label, numberForm, numberForm, (l1, l2, a, b) => {
        const p = `${l1} = ${a}`;
        const g = `${l2} = ${b}`;
        assert.equal(same(p, g), same(g, p), `${p} vs ${g}`);
        if (l1 !== l2) assert.equal(same(p, g), false, `${p} vs ${g}`);
      }),
      { numRuns: 150 },
    );
    assert.equal(same('y = 5', 'x = 5'), false);
    assert.equal(same('y \\geq 5', 'x \\geq 5'), false);
    assert.equal(same('y \\in [1, 2]', 'x \\in [1, 2]'), false);
  });
});

describe('robust answers: no truncation effects', () => {
  it('two long answers that differ only at the end are different', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3000, max: 12000 }), fc.constantFrom('a', 'x + 1', '7 '), fc.constantFrom('1', 'b', 'y'), fc.constantFrom('2', 'c', 'z'), (n, unit, s1, s2) => {
        const prefix = unit.repeat(Math.ceil(n / unit.length));
        assert.equal(same(prefix + s1, prefix + s2), false);
        assert.ok(same(prefix + s1, prefix + s1));
      }),
      { numRuns: 30 },
    );
  });
});

describe('robust answers: documented leniencies stay', () => {
  it('units, choice letters, labelled values', () => {
    assert.ok(same('3 apples', '3'));
    assert.ok(same('(B)', 'B'));
    assert.ok(same('x = 5', '5'));
    assert.ok(same('5', 'x = 5'));
    assert.ok(same('28%', '0.28'));
  });
  it('through the chain reward', () => {
    const chain = (a: string) => `### Image Description:\nd\n### Rationales:\nr\n### Step 1:\ns\n### The final answer is: ${a}`;
    assert.equal(scoreChain(chain('10000001'), { answer: '10000000' }).answer_correct, false);
    assert.equal(scoreChain(chain('y = 5'), { answer: 'x = 5' }).answer_correct, false);
    assert.equal(scoreChain(chain('x = 5'), { answer: '5' }).answer_correct, true);
  });
});

describe('robust answers: constant forms without the CAS', () => {
  it('roots, π and powers compare by value; degrees still go to the CAS', () => {
    assert.equal(checkAnswer('33\\sqrt{3}', '32\\sqrt{3}').path, 'number');
    assert.equal(same('33\\sqrt{3}', '32\\sqrt{3}'), false);
    assert.ok(same('\\sqrt{12}', '2\\sqrt{3}'));
    assert.ok(same('\\frac{\\pi}{4}', '0.25\\pi'));
    assert.ok(same('2^{10}', '1024'));
    assert.ok(same('\\sin 30^\\circ', '\\frac{1}{2}'));
  });
});
