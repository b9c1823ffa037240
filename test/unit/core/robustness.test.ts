// Pathological inputs must return (no catastrophic backtracking, no crash). These assert that a
// result comes back and is well-formed, not how fast: timings live in `npm run bench`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scoreChain } from '../../../src/core/reward';
import type { RewardBreakdown } from '../../../src/core/reward-types';
import { buildChain, rng } from '../../fixtures/chain-builder';

function wellFormed(r: RewardBreakdown, text: string): void {
  assert.ok(Number.isFinite(r.total));
  for (const v of r.violations) assert.ok(v.start >= 0 && v.start <= v.end && v.end <= text.length, JSON.stringify(v));
  for (const k of r.key_steps) for (const [s, e] of k.spans) assert.ok(s >= 0 && s <= e && e <= text.length);
}

const junk = (n: number, seed: number): string => {
  const next = rng(seed);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(next() * 0xd7ff));
  return s;
};

const CASES: [string, string][] = [
  ['empty', ''],
  ['whitespace only', ' \n\r\n\t '],
  ['1 MB chain', buildChain({ steps: [`${'All 12 apples, x = 5, \\frac{1}{2}. '.repeat(30_000)}`] })],
  ['long run of #', '#'.repeat(200_000)],
  ['long runs of "### Step "', '### Step '.repeat(50_000)],
  ['nested \\frac', buildChain({ steps: [`${'\\frac{'.repeat(20_000)}1${'}{2}'.repeat(20_000)}`], answer: `${'\\frac{'.repeat(5_000)}1${'}{2}'.repeat(5_000)}` })],
  ['binary junk', junk(200_000, 7)],
  ['many headers', buildChain({ steps: Array.from({ length: 20_000 }, (_, i) => `step ${i}`) })],
  ['digits', '9'.repeat(100_000) + '.' + '0'.repeat(100_000) + '1'],
  ['unbalanced braces and dollars', `### Step 1: ${'{$\\boxed{'.repeat(30_000)}\n### The final answer is: ${'$'.repeat(10_000)}`],
];

describe('bad and pathological chains return', () => {
  for (const [name, text] of CASES) {
    for (const preset of ['stepgrpo', 'r1vl-official'] as const) {
      it(`${name} (${preset})`, () => {
        const keySteps = ['x = 5', ['1/2', 'one half'], '\\frac{1}{2}', '9'.repeat(50)];
        const r = scoreChain(text, { answer: '\\frac{1}{2}', keySteps }, preset);
        wellFormed(r, text);
      });
    }
  }
});
