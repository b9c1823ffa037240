// Regression floor on the peer answer-equivalence suite (Math-Verify cases in ../shared/data).
// The measured agreement is printed by `npm run bench -- --only reward`; this only stops it falling.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { ANSWER_CASES_PATH, answerAgreement } from '../../fixtures/chains/answer-cases';

const FLOOR = 0.96;

describe('answer checking vs the Math-Verify cases', () => {
  it(`agrees on at least ${FLOOR * 100}% of the cases`, () => {
    // A missing corpus fails: a silent skip would let the floor go unchecked.
    assert.ok(fs.existsSync(ANSWER_CASES_PATH), `missing ${ANSWER_CASES_PATH}: check out ../shared beside the repository, or point STEPGRPO_ANSWER_CASES at the file`);
    const a = answerAgreement();
    assert.ok(a.total >= 200, `only ${a.total} cases`);
    assert.ok(a.overall >= FLOOR, `agreement ${a.overall.toFixed(3)} < ${FLOOR}`);
    for (const kind of ['number_extraction', 'percent_notation', 'simple_fraction_notation', 'math_extraction_additional_cases', 'open_thoughts', 'relations_math']) {
      const k = a.byKind[kind]!;
      assert.ok(k.agree / k.total >= 0.95, `${kind}: ${k.agree}/${k.total}`);
    }
  });
});
