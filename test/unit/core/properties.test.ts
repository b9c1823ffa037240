// Property tests (fast-check) of the rules as the paper states them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseChain } from '../../../src/core/chain-parser';
import { checkValidity } from '../../../src/core/step-rvr';
import { matchKeySteps } from '../../../src/core/step-rar';
import { scoreChain } from '../../../src/core/reward';
import { buildChain, type HeaderStyle } from '../../fixtures/chain-builder';

const word = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/);
const sentence = fc
  .array(fc.oneof(word, fc.integer({ min: 0, max: 999 }).map(String), fc.constantFrom('=', '+', '×', '\\frac{1}{2}', '3.0')), { minLength: 1, maxLength: 8 })
  .map((ws) => ws.join(' '));
const steps = fc.array(sentence, { minLength: 1, maxLength: 6 });
const style = fc.constantFrom<HeaderStyle>('r1vl', 'bold', 'h2', 'lower', 'no-colon');
const valid = fc.record({ steps, headerStyle: style, description: sentence, rationale: sentence, answer: word });
const runs = { numRuns: 150 };

const validity = (text: string, mode: 'robust' | 'r1vl' = 'robust') => checkValidity(parseChain(text, mode), mode).r_val;

describe('StepRVR properties', () => {
  it('a valid chain stays valid under whitespace and line-ending changes', () => {
    fc.assert(
      fc.property(valid, fc.constantFrom('\r\n', '\n', '\r'), fc.constantFrom(' ', '  ', '\t'), (spec, eol, pad) => {
        const text = buildChain(spec);
        assert.equal(validity(text), 1);
        const changed = text
          .split('\n')
          .map((line) => `${pad}${line}${pad}`)
          .join(eol);
        assert.equal(validity(changed), 1, JSON.stringify(changed));
        assert.equal(validity(`\n\n${text}\n\n`), 1);
      }),
      runs,
    );
  });

  it('renumbering any step breaks validity (both modes)', () => {
    fc.assert(
      fc.property(fc.record({ steps, description: sentence, rationale: sentence, answer: word }), fc.nat(), fc.integer({ min: 1, max: 9 }), (spec, which, delta) => {
        const k = which % spec.steps.length;
        const numbers = spec.steps.map((_, i) => (i === k ? i + 1 + delta : i + 1));
        const text = buildChain({ ...spec, stepNumbers: numbers });
        assert.equal(validity(text), 0);
        assert.equal(validity(text, 'r1vl'), 0);
      }),
      runs,
    );
  });

  it('r1vl validity implies robust validity for non-empty chains in the paper format', () => {
    fc.assert(
      fc.property(fc.record({ steps, description: sentence, rationale: sentence, answer: word }), (spec) => {
        const text = buildChain(spec);
        assert.equal(validity(text, 'r1vl'), validity(text));
      }),
      runs,
    );
  });
});

describe('StepRAR properties', () => {
  it('adding a key step to a step never lowers the ratio (robust and r1vl)', () => {
    fc.assert(
      fc.property(valid, fc.array(sentence, { minLength: 1, maxLength: 5 }), fc.nat(), fc.nat(), (spec, keySteps, which, where) => {
        const text = buildChain(spec);
        const key = keySteps[which % keySteps.length]!;
        const k = where % spec.steps.length;
        const grown = spec.steps.map((s, i) => (i === k ? `${s} ${key}` : s));
        const grownText = buildChain({ ...spec, steps: grown });
        for (const mode of ['robust', 'r1vl'] as const) {
          const before = matchKeySteps(parseChain(text, mode), keySteps, mode).ratio;
          const after = matchKeySteps(parseChain(grownText, mode), keySteps, mode);
          if (mode === 'robust' || spec.headerStyle === 'r1vl') {
            assert.ok(after.ratio >= before, `${mode}: ${after.ratio} < ${before}`);
            assert.ok(after.results[which % keySteps.length]!.matched, `${mode}: added key step not matched`);
          }
        }
      }),
      runs,
    );
  });

  // Bodies are joined before matching (as in the paper), so a span may run from one step into the next.
  it('every reported span starts and ends inside step bodies (scope: steps)', () => {
    fc.assert(
      fc.property(valid, fc.array(sentence, { minLength: 1, maxLength: 4 }), (spec, keySteps) => {
        const grown = spec.steps.map((s, i) => `${s} ${keySteps[i % keySteps.length]}`);
        const text = buildChain({ ...spec, steps: grown });
        const chain = parseChain(text);
        const bodies = chain.sections.filter((s) => s.kind === 'step').map((s) => s.body);
        for (const r of matchKeySteps(chain, keySteps, 'robust').results) {
          for (const [s, e] of r.spans) {
            assert.ok(bodies.some((b) => s >= b.start && s < b.end) && bodies.some((b) => e > b.start && e <= b.end), `${s}-${e}`);
          }
        }
      }),
      runs,
    );
  });
});

describe('reward properties', () => {
  it('total is bounded by the weights and correct answers score higher', () => {
    fc.assert(
      fc.property(valid, fc.integer({ min: -1000, max: 1000 }), fc.array(sentence, { maxLength: 4 }), (spec, answer, keySteps) => {
        const text = buildChain({ ...spec, answer: String(answer) });
        const right = scoreChain(text, { answer: String(answer), keySteps });
        const wrong = scoreChain(text, { answer: String(answer + 1), keySteps });
        assert.ok(right.total >= 2 && right.total <= 2.1 + 1e-12);
        assert.ok(Math.abs(right.total - wrong.total - 1) < 1e-12);
      }),
      runs,
    );
  });
});
