import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { promptHistory } from '../../../src/core/prompt-history';
import { breakdown } from '../../fixtures/reward-breakdown';

const group = (step: number, specs: Parameters<typeof breakdown>[0][]) => ({ step, samples: specs.map((s) => ({ rewards: breakdown(s) })) });

describe('prompt history', () => {
  it('one point per step, ascending: answer rate, mean key-step ratio and mean total over that step’s chains', () => {
    const points = promptHistory([
      group(9, [{ correct: true, ratio: 1 }]),
      group(2, [
        { correct: true, ratio: 0.5 },
        { correct: false, ratio: 0 },
      ]),
      group(2, [{ correct: false, ratio: 0.5, valid: false }]),
      group(5, []),
    ]);
    const rewards = [breakdown({ correct: true, ratio: 0.5 }), breakdown({ correct: false, ratio: 0 }), breakdown({ correct: false, ratio: 0.5, valid: false })];
    assert.deepEqual(points, [
      { step: 2, chains: 3, answerRate: 1 / 3, keyStepRecall: 1 / 3, meanReward: rewards.reduce((a, r) => a + r.total, 0) / 3 },
      { step: 9, chains: 1, answerRate: 1, keyStepRecall: 1, meanReward: breakdown({ correct: true, ratio: 1 }).total },
    ]);
  });
});
