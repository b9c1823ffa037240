import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scoreChain } from '../../../src/core/reward';
import { alignChains } from '../../../webview/rollout-viewer/alignment';
import { buildChainModel } from '../../../webview/rollout-viewer/chain-model';
import { fixtureChain, problemOf, referenceOf, type ChainKind } from '../../support/rollout-fixtures';

const p = problemOf(4);
const chains = (...kinds: ChainKind[]) =>
  kinds.map((kind) => {
    const text = fixtureChain(kind, p);
    const rewards = scoreChain(text, referenceOf(p), 'stepgrpo');
    return { model: buildChainModel(text, rewards), correct: rewards.answer_correct };
  });

describe('group alignment by step', () => {
  it('one row per step number any chain wrote, ascending, then the answer; a chain without the step has no cell', () => {
    const a = alignChains(chains('correct', 'step-gap'));
    assert.deepEqual(
      a.rows.map((r) => r.label),
      ['Step 1', 'Step 2', 'Step 3', 'Answer'],
    );
    assert.deepEqual(
      a.rows.map((r) => r.cells.map((c) => c.section !== null)),
      [
        [true, true],
        [true, false],
        [false, true],
        [true, true],
      ],
    );
  });

  it('the key steps matched in each cell are those whose spans lie in that step', () => {
    const a = alignChains(chains('correct'));
    // Step 1 says "… 13 apples …" (key step 2), step 2 "13 - 4 = 9" (key step 1).
    assert.deepEqual(
      a.rows.map((r) => r.cells[0]!.keySteps),
      [[1], [0], []],
    );
  });

  it('diverges at the first row where a right and a wrong chain have matched different key steps so far', () => {
    // The wrong chain adds instead of subtracting in step 2: it never matches key step 1.
    const a = alignChains(chains('correct', 'wrong-answer'));
    assert.equal(a.rows[a.divergence!]!.label, 'Step 2');
  });

  it('the answer row when the key steps agree throughout; none without both a right and a wrong chain', () => {
    const both = chains('correct', 'correct');
    both[1]!.correct = false;
    const a = alignChains(both);
    assert.equal(a.rows[a.divergence!]!.label, 'Answer');
    assert.equal(alignChains(chains('correct', 'step-gap')).divergence, null);
  });
});
