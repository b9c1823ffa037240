import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scoreChain } from '../../../src/core/reward';
import { Tokenizer } from '../../../src/model/tokenizer';
import { creditedRanges, groupMatchRates, stepCreditAdvantages, tokenCharOffsets } from '../../../src/trainer/step-credit';
import { resolveRewardConfig } from '../../../src/core/reward';

const chain = [
  '### Image Description:',
  'The image shows 3 red circles and 2 blue squares.',
  '### Rationales:',
  'Count the shapes, then add.',
  '### Step 1:',
  'Count the circles. There are 3 circles.',
  '### Step 2:',
  'Add the squares: 3 + 2 = 5.',
  '### The final answer is: 5',
].join('\n');

describe('step-level credit', () => {
  const tok = Tokenizer.fit([chain]);
  const ids = tok.encode(chain);
  const config = resolveRewardConfig('stepgrpo');

  it('maps every token to its characters in the decoded text', () => {
    const offsets = tokenCharOffsets(tok, ids);
    assert.equal(offsets.length, ids.length + 1);
    assert.equal(offsets.at(-1), tok.decode(ids).length);
    for (let k = 1; k < offsets.length; k++) assert.ok(offsets[k]! >= offsets[k - 1]!);
  });

  it('credits the tokens of the step that matched a key step, and only those', () => {
    const text = tok.decode(ids);
    const rewards = scoreChain(text, { answer: '5', keySteps: ['3 + 2 = 5', '7 circles'] }, config);
    const ranges = creditedRanges(text, rewards);
    assert.equal(ranges.length, 1);
    const [start, end] = ranges[0]!;
    assert.equal(text.slice(start, end), '### Step 2:\nAdd the squares: 3 + 2 = 5.');

    const A = 0.7;
    const scale = 0.5;
    const adv = stepCreditAdvantages(tok, ids, text, rewards, A, scale, config, [0, 0]);
    const credit = (config.alpha * config.w_acc) / 2 / scale;
    const offsets = tokenCharOffsets(tok, ids);
    adv.forEach((a, t) => {
      const inside = offsets[t]! < end && offsets[t + 1]! > start;
      assert.ok(Math.abs(a - (inside ? A + credit : A)) < 1e-12, `token ${t} ${JSON.stringify(tok.decode([ids[t]!]))}`);
    });
  });

  it('gives a key step the whole group matched no extra credit, and half of it when half the group did', () => {
    const text = tok.decode(ids);
    const rewards = scoreChain(text, { answer: '5', keySteps: ['3 + 2 = 5', '7 circles'] }, config);
    assert.deepEqual(new Set(stepCreditAdvantages(tok, ids, text, rewards, 0.2, 0.5, config, [1, 0])), new Set([0.2]));
    const half = stepCreditAdvantages(tok, ids, text, rewards, 0.2, 0.5, config, [0.5, 0]);
    assert.ok(Math.abs(Math.max(...half) - (0.2 + (config.alpha * config.w_acc) / 2 / 0.5 / 2)) < 1e-12);
    assert.deepEqual(groupMatchRates([rewards, scoreChain('nothing', { answer: '5', keySteps: ['3 + 2 = 5', '7 circles'] }, config)]), [0.5, 0]);
  });

  it('is the sequence advantage everywhere without key steps', () => {
    const text = tok.decode(ids);
    const rewards = scoreChain(text, { answer: '5' }, config);
    assert.deepEqual(new Set(stepCreditAdvantages(tok, ids, text, rewards, -0.3, 1, config, [])), new Set([-0.3]));
  });
});
