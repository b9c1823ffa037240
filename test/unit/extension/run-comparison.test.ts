import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { branchStepOffset } from '../../../src/extension/metrics/branch-offset';
import { RolloutStore } from '../../../src/extension/viewer/rollout-store';
import { alignedStep, nearestSteps, pairGroups } from '../../../src/extension/viewer/run-comparison';
import { fixtureGroup } from '../../support/rollout-fixtures';

/** A store holding `prompts[step]` (fixture prompt indices) at each step. */
function storeOf(prompts: Record<number, number[]>): RolloutStore {
  const store = new RolloutStore();
  for (const [step, ids] of Object.entries(prompts))
    store.add(
      Number(step),
      ids.map((i) => fixtureGroup(i)),
    );
  return store;
}

const summary = (pairs: ReturnType<typeof pairGroups>) => pairs.map((p) => [p.promptId, p.shown, p.compared && `${p.compared.step}:${p.compared.index}`, p.at]);

describe('run comparison: step alignment', () => {
  it('puts both runs on the parent’s steps: a branch from step 40 at its step 5 lines up with the parent’s step 45', () => {
    const branch = branchStepOffset({ initFrom: '/runs/parent/checkpoints/step-000040' });
    assert.equal(branch, 40);
    assert.equal(alignedStep(45, 0, branch), 5, 'the parent shown, the branch compared');
    assert.equal(alignedStep(5, branch, 0), 45, 'the branch shown, the parent compared');
    assert.equal(alignedStep(12, 0, 0), 12, 'two runs that are no branches: the same step');
    assert.equal(alignedStep(3, 0, branch), -37, 'before the branch started: a step it cannot have');
  });

  it('names the nearest steps, the earlier of two equally near first', () => {
    assert.deepEqual(nearestSteps([1, 4, 6, 9], 5), [4, 6]);
    assert.deepEqual(nearestSteps([1, 4, 6, 9], 10, 1), [9]);
    assert.deepEqual(nearestSteps([], 3), []);
  });
});

describe('run comparison: pairing groups by prompt', () => {
  it('pairs each shown group with the compared run’s group of its prompt at the aligned step, whatever its index there', () => {
    const shown = [0, 1, 2].map((i) => fixtureGroup(i));
    const pairs = pairGroups(shown, storeOf({ 7: [2, 0, 1] }), 7);
    assert.deepEqual(summary(pairs), [
      ['fixture-0', 0, '7:1', 'same'],
      ['fixture-1', 1, '7:2', 'same'],
      ['fixture-2', 2, '7:0', 'same'],
    ]);
    assert.equal(pairs[0]!.compared!.group.promptId, 'fixture-0');
  });

  it('a prompt the compared run did not sample at that step comes from its nearest step that did (6 over 9, 9 over 3); one never sampled has none', () => {
    const shown = [0, 1, 5].map((i) => fixtureGroup(i));
    const pairs = pairGroups(shown, storeOf({ 3: [1], 6: [0], 9: [0, 1], 7: [3] }), 7);
    assert.deepEqual(summary(pairs), [
      ['fixture-0', 0, '6:0', 'nearest'],
      ['fixture-1', 1, '9:1', 'nearest'],
      ['fixture-5', 2, null, 'none'],
      ['fixture-3', null, '7:0', 'same'],
    ]);
  });

  it('a prompt twice in a step pairs its k-th group with the k-th there; the rest of the compared step comes last, alone', () => {
    const shown = [4, 4].map((i) => fixtureGroup(i));
    const pairs = pairGroups(shown, storeOf({ 2: [4, 8, 4, 9] }), 2);
    assert.deepEqual(summary(pairs), [
      ['fixture-4', 0, '2:0', 'same'],
      ['fixture-4', 1, '2:2', 'same'],
      ['fixture-8', null, '2:1', 'same'],
      ['fixture-9', null, '2:3', 'same'],
    ]);
  });
});
