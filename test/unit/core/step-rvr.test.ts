import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseChain } from '../../../src/core/chain-parser';
import { checkValidity } from '../../../src/core/step-rvr';
import type { RewardMode, ViolationCode } from '../../../src/core/reward-types';
import { buildChain, offsetOf } from '../../fixtures/chain-builder';

const check = (text: string, mode: RewardMode = 'robust') => checkValidity(parseChain(text, mode), mode);
const codes = (text: string, mode: RewardMode = 'robust'): ViolationCode[] => check(text, mode).violations.map((v) => v.code);

describe('StepRVR robust', () => {
  it('a complete, ordered chain is valid', () => {
    assert.deepEqual(check(buildChain()), { r_val: 1, violations: [] });
  });

  it('MISSING_SECTION for each required section, at the place it belongs', () => {
    const text = buildChain({ rationale: null });
    const r = check(text);
    assert.equal(r.r_val, 0);
    assert.deepEqual(codes(text), ['MISSING_SECTION']);
    const descBodyEnd = offsetOf(text, 'grid.') + 'grid.'.length;
    assert.equal(r.violations[0]!.start, descBodyEnd);
    assert.match(r.violations[0]!.message, /Rationales/);
    assert.deepEqual(codes(buildChain({ description: null })), ['MISSING_SECTION']);
    assert.deepEqual(codes(buildChain({ steps: [] })), ['MISSING_SECTION']);
    assert.deepEqual(codes(buildChain({ answer: null })), ['MISSING_SECTION']);
  });

  it('EMPTY_SECTION: a header-only skeleton is invalid, the span is the header', () => {
    const text = buildChain({ description: '', rationale: ' ', steps: ['', 'x'], answer: '' });
    assert.deepEqual(codes(text), ['EMPTY_SECTION', 'EMPTY_SECTION', 'EMPTY_SECTION', 'EMPTY_SECTION']);
    const v = check(text).violations[0]!;
    assert.equal(text.slice(v.start, v.end), '### Image Description:');
  });

  it('ORDER when rationales come before the description', () => {
    const text = buildChain({ order: ['rationale', 'description', 'think', 'steps', 'answer'] });
    const r = check(text);
    assert.deepEqual(codes(text), ['ORDER']);
    assert.equal(text.slice(r.violations[0]!.start, r.violations[0]!.end), '### Image Description:');
  });

  it('STEP_START, STEP_GAP, STEP_DUPLICATE point at the digits', () => {
    const start = buildChain({ stepNumbers: [2, 3, 4] });
    assert.deepEqual(codes(start), ['STEP_START']);
    const v = check(start).violations[0]!;
    assert.equal(start.slice(v.start, v.end), '2');
    assert.deepEqual(codes(buildChain({ stepNumbers: [1, 3, 4] })), ['STEP_GAP']);
    assert.deepEqual(codes(buildChain({ stepNumbers: [1, 2, 2] })), ['STEP_DUPLICATE']);
  });

  it('ANSWER_NOT_LAST, MULTIPLE_ANSWERS, TRAILING_CONTENT', () => {
    assert.deepEqual(codes(buildChain({ order: ['description', 'rationale', 'think', 'answer', 'steps'] })), ['ANSWER_NOT_LAST', 'ANSWER_NOT_LAST', 'ANSWER_NOT_LAST']);
    assert.deepEqual(codes(buildChain({ extraAnswers: ['8'] })), ['MULTIPLE_ANSWERS']);
    const trailing = buildChain({ trailing: 'I hope this helps!' });
    const r = check(trailing);
    assert.deepEqual(codes(trailing), ['TRAILING_CONTENT']);
    assert.equal(trailing.slice(r.violations[0]!.start, r.violations[0]!.end), 'I hope this helps!');
  });

  it('messages are sentences a person understands', () => {
    for (const v of check(buildChain({ stepNumbers: [1, 3, 3], rationale: null })).violations) {
      assert.ok(v.message.length > 20 && /[.;]/.test(v.message), v.message);
    }
  });
});

describe('StepRVR r1vl (the released code, literally)', () => {
  it('accepts the paper format', () => {
    assert.deepEqual(check(buildChain(), 'r1vl'), { r_val: 1, violations: [] });
  });

  it('is case-sensitive: lower-case or bold headers are missing sections', () => {
    assert.ok(codes(buildChain({ headerStyle: 'lower' }), 'r1vl').includes('MISSING_SECTION'));
    assert.ok(codes(buildChain({ headerStyle: 'bold' }), 'r1vl').includes('MISSING_SECTION'));
  });

  it('a header-only skeleton passes (the released code does not look at content)', () => {
    assert.equal(check(buildChain({ description: '', rationale: '', steps: [''], answer: '' }), 'r1vl').r_val, 1);
  });

  it('final answer before the last step header is ORDER', () => {
    const text = `${buildChain({ steps: ['a'] })}\n### Step 2: late`;
    assert.deepEqual(codes(text, 'r1vl'), ['ORDER']);
  });

  it('skips the position check when the stripped text ends with the final-answer header', () => {
    const text = '### Image Description: d\n### Rationales: r\n### Step 1: a\n### The final answer is:\n ';
    assert.equal(check(text, 'r1vl').r_val, 1);
  });

  it('R1VL_EXCEPTION when there is a final answer but no step header', () => {
    const text = '### Image Description: d\n### Rationales: r\n### The final answer is: 3';
    const r = check(text, 'r1vl');
    assert.equal(r.r_val, 0);
    assert.ok(r.violations.some((v) => v.code === 'R1VL_EXCEPTION' && /raises/.test(v.message)));
  });

  it('step numbers must be exactly 1..n, read with Python \\d (full-width digits count)', () => {
    assert.equal(check(buildChain({ stepNumbers: [1, 2, 3] }).replace('### Step 2:', '### Step ２:'), 'r1vl').r_val, 1);
    assert.equal(check(buildChain().replace('### Step 2:', '### Step 02:'), 'r1vl').r_val, 1);
    assert.deepEqual(codes(buildChain({ stepNumbers: [1, 3, 4] }), 'r1vl'), ['STEP_GAP']);
    assert.deepEqual(codes(buildChain({ stepNumbers: [1, 1, 2] }), 'r1vl'), ['STEP_DUPLICATE']);
  });

  it('trailing text after the answer does not matter to r1vl', () => {
    assert.equal(check(buildChain({ trailing: 'thanks' }), 'r1vl').r_val, 1);
  });
});
