import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseChain } from '../../../src/core/chain-parser';
import { buildChain, offsetOf } from '../../fixtures/chain-builder';

const kinds = (text: string, mode?: 'r1vl' | 'robust') => parseChain(text, mode).sections.map((s) => (s.kind === 'step' ? `step${s.step}` : s.kind));

describe('parseChain (robust)', () => {
  it('finds every section of a well-formed chain with spans', () => {
    const text = buildChain();
    const chain = parseChain(text);
    assert.deepEqual(kinds(text), ['description', 'rationale', 'think', 'step1', 'step2', 'step3', 'answer']);
    const step2 = chain.sections[4]!;
    assert.equal(text.slice(step2.header.start, step2.header.end), '### Step 2:');
    assert.equal(text.slice(step2.body.start, step2.body.end), 'Count the blue circles: there are 4 circles.');
    assert.equal(text.slice(step2.stepDigits!.start, step2.stepDigits!.end), '2');
    const answer = chain.sections[6]!;
    assert.equal(text.slice(answer.header.start, answer.header.end), '### The final answer is:');
    assert.equal(text.slice(answer.body.start, answer.body.end), '7');
    assert.equal(chain.preamble, null);
  });

  for (const style of ['bold', 'h2', 'lower', 'no-colon'] as const) {
    it(`accepts ${style} headers`, () => {
      assert.deepEqual(kinds(buildChain({ headerStyle: style, think: false })), ['description', 'rationale', 'step1', 'step2', 'step3', 'answer']);
    });
  }

  it('accepts Windows line endings, aliases, one to four # and records stray text as preamble', () => {
    const text = 'Sure!\r\n# Description\r\nA cat.\r\n#### Rationale:\r\nwhy\r\n## step 1 count\r\n**Final Answer:** 2';
    const chain = parseChain(text);
    assert.deepEqual(kinds(text), ['description', 'rationale', 'step1', 'answer']);
    assert.deepEqual(chain.preamble, { start: 0, end: 5 });
    const ans = chain.sections[3]!;
    assert.equal(text.slice(ans.body.start, ans.body.end), '2');
    assert.equal(text.slice(chain.sections[2]!.body.start, chain.sections[2]!.body.end), 'count');
  });

  it('does not take five #, words that start like a header, or mid-line headers', () => {
    assert.deepEqual(kinds('##### Step 1: x\n### Descriptions\n### Stepping\ntext ### Step 1: y'), []);
  });

  it('reads step numbers with Unicode digits and leading zeros', () => {
    const text = '### Step 02: a\n### Step ３: b\n### Step ٤: c';
    assert.deepEqual(kinds(text), ['step2', 'step3', 'step4']);
  });
});

describe('parseChain (r1vl)', () => {
  it('only takes the literal, case-sensitive headers, anywhere in the text', () => {
    const text = '### image description: x ### Image Description: y ### Step 1: a ### Step 2 b ### The final answer is: 3';
    assert.deepEqual(kinds(text, 'r1vl'), ['description', 'step1', 'answer']);
    const step = parseChain(text, 'r1vl').sections[1]!;
    assert.equal(step.header.start, offsetOf(text, '### Step 1:'));
  });
});
