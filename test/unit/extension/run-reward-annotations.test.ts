// Open in Editor scores with the run's reward (its config.json `reward`, carried in the document's
// front matter), not the editor's stepgrpo.reward settings: an `alpha: 3` run's chain has the same
// total in the editor as in the viewer. A reward_config that does not resolve is named.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveRewardConfig, scoreChain } from '../../../src/core/reward';
import { analyseChainDocument } from '../../../src/extension/annotations/engine';
import { DEFAULT_ANNOTATION_SETTINGS } from '../../../src/extension/annotations/settings';
import { chainDocument } from '../../../src/extension/viewer/chain-export';
import { fixtureGroup } from '../../support/rollout-fixtures';

const runReward = { mode: 'robust', alpha: 3 };

describe('annotations of a chain opened from a run', () => {
  const group = fixtureGroup(1);
  // A chain that matches key steps: α weighs them.
  const sample = group.samples.find((s) => s.rewards.key_steps.some((k) => k.matched))!;
  const text = sample.text;
  const reference = { answer: group.reference.answer, keySteps: group.reference.keySteps };

  it("score with the run's reward, not the editor's preset", () => {
    const inRun = scoreChain(text, reference, resolveRewardConfig(runReward as never)).total;
    const bySetting = scoreChain(text, reference, resolveRewardConfig('stepgrpo')).total;
    assert.notEqual(inRun, bySetting, 'the fixture must tell the two rewards apart');
    const result = analyseChainDocument(chainDocument(group, sample, { run: 'alpha3', step: 4, reward: runReward }), DEFAULT_ANNOTATION_SETTINGS);
    assert.deepEqual(result.problems, []);
    assert.equal(result.chain?.breakdown.total, inRun);
  });

  it('fall back to the settings, saying why, when the reward_config does not resolve', () => {
    const result = analyseChainDocument(chainDocument(group, sample, { run: 'x', step: 1, reward: { alpha: 3, colour: 'red' } }), DEFAULT_ANNOTATION_SETTINGS);
    assert.equal(result.chain?.breakdown.total, scoreChain(text, reference, resolveRewardConfig('stepgrpo')).total);
    assert.equal(result.problems.length, 1);
    assert.match(result.problems[0]!.message, /reward_config.*colour/);
  });
});
