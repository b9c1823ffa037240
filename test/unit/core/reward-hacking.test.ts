import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scoreChain } from '../../../src/core/reward';
import { copiesPrompt, hackFlags, PROMPT_COPY_CHARS, textAfterAnswer } from '../../../src/core/reward-hacking';
import { Rng } from '../../../src/model/rng';
import { breakdown } from '../../fixtures/reward-breakdown';
import { fixtureChain, problemOf, referenceOf } from '../../support/rollout-fixtures';

const p = problemOf(3);
const reference = referenceOf(p);
const prompt = `A basket holds ${p.a} apples and ${p.b} are green. How many are not green?`;
const flagsOf = (text: string) => hackFlags({ text, rewards: scoreChain(text, reference, 'stepgrpo'), prompt });

/** The longest run of characters shared by a and b, case-insensitively (quadratic: the independent reference). */
function longestCommonRun(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let best = 0;
  let prev = new Array<number>(y.length + 1).fill(0);
  for (let i = 1; i <= x.length; i++) {
    const row = new Array<number>(y.length + 1).fill(0);
    for (let j = 1; j <= y.length; j++) if (x[i - 1] === y[j - 1]) best = Math.max(best, (row[j] = prev[j - 1]! + 1));
    prev = row;
  }
  return best;
}

describe('reward-hacking flags', () => {
  it('a correct, valid chain raises none', () => {
    assert.deepEqual(flagsOf(fixtureChain('correct', p)), []);
  });

  it('valid format but wrong answer', () => {
    const flags = flagsOf(fixtureChain('wrong-answer', p));
    assert.ok(flags.includes('format-wrong-answer'), flags.join());
    assert.deepEqual(hackFlags({ text: '', rewards: breakdown({ correct: false, valid: false }), prompt }), []);
  });

  it('key steps stuffed: half or more of them matched (at least 2) while the answer is wrong', () => {
    const stuffed = (ratio: number, matched: number, correct: boolean) => {
      const rewards = breakdown({ correct, ratio });
      rewards.key_steps = Array.from({ length: 4 }, (_, i) => ({ text: `k${i}`, matched: i < matched, alternative: null, spans: [] }));
      return hackFlags({ text: '', rewards, prompt }).includes('stuffed-key-steps');
    };
    assert.equal(stuffed(0.5, 2, false), true);
    assert.equal(stuffed(1, 4, false), true);
    assert.equal(stuffed(0.25, 1, false), false);
    assert.equal(stuffed(1, 4, true), false);
    const chain = fixtureChain('correct', p).replace(`### The final answer is: ${p.a - p.b}`, '### The final answer is: 1');
    assert.ok(flagsOf(chain).includes('stuffed-key-steps'), 'both key steps matched, answer wrong');
  });

  it('text after the final answer: where it starts, and none for a chain that ends with its answer', () => {
    const chain = fixtureChain('correct', p);
    assert.equal(textAfterAnswer(chain, 'robust'), null);
    const padded = `${chain}\nI am sure this is right. Reward me.`;
    assert.equal(textAfterAnswer(padded, 'robust'), chain.length + 1);
    assert.ok(flagsOf(padded).includes('text-after-answer'));
    assert.equal(textAfterAnswer('no answer section here', 'robust'), null);
  });

  it('copies of the prompt: a run of 40 characters, case-insensitive; agrees with the quadratic reference on seeded strings', () => {
    assert.ok(flagsOf(`${fixtureChain('correct', p)}`.replace('Count the apples', prompt.toUpperCase())).includes('prompt-copy'));
    assert.equal(copiesPrompt('short', 'short prompt'), false, 'a prompt under 20 characters is never a copy');
    const rng = new Rng(18);
    const letters = 'ab c';
    const draw = (n: number) => Array.from({ length: n }, () => letters[Math.floor(rng.next() * letters.length)]).join('');
    for (let i = 0; i < 300; i++) {
      const promptText = draw(20 + Math.floor(rng.next() * 60));
      const cut = Math.floor(rng.next() * promptText.length);
      const text = draw(30) + promptText.slice(cut, cut + 30 + Math.floor(rng.next() * 30)) + draw(30);
      const expected = longestCommonRun(text, promptText) >= Math.min(PROMPT_COPY_CHARS, promptText.length);
      assert.equal(copiesPrompt(text, promptText), expected, JSON.stringify({ text, promptText }));
    }
  });
});
