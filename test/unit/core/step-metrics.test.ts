// Every metric's value on a hand-made step: two groups of known totals, expected values worked out
// by hand below (not by the code under test), so `reward_std` is pinned to TRL v1.9.0's meaning
// (n − 1 std over all the step's rewards) and not to the mean within-group std or the population std.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { METRICS, metricDefinition } from '../../../src/core/metric-definitions';
import { evalMetrics, stepMetrics, type ScoredGroup, type UpdateStats } from '../../../src/core/step-metrics';
import { breakdown, type BreakdownSpec } from '../../fixtures/reward-breakdown';

const group = (...chains: [BreakdownSpec, number?][]): ScoredGroup => ({
  samples: chains.map(([spec, tokens]) => ({ rewards: breakdown(spec), ...(tokens !== undefined ? { tokens } : {}) })),
});

// Group A: right with every key step and valid (1 + 0.1 + 1 = 2.1), wrong with half the key steps,
// invalid (0.05). Group B: two wrong, valid chains without key steps (1 each): a tied group.
const A = group([{ correct: true, ratio: 1 }, 10], [{ ratio: 0.5, valid: false, violations: ['STEP_GAP'] }, 20]);
const B = group([{}, 30], [{}, 40]);
const UPDATE: UpdateStats = { policyLoss: -0.5, gradNorm: 3, lr: 1e-4, kl: 0.02, entropy: 1.5, clipRatio: 0.25 };

const close = (actual: number | undefined, expected: number, name: string) =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-12, `${name}: ${actual} ≠ ${expected}`);

describe('stepMetrics on a hand-made step', () => {
  const values = stepMetrics([A, B], { update: UPDATE, seconds: 2 });
  const expected: Record<string, number> = {
    reward: (2.1 + 0.05 + 1 + 1) / 4,
    // Mean 1.0375; deviations 1.0625, −0.9875, −0.0375, −0.0375; n − 1 = 3.
    reward_std: Math.sqrt((1.0625 ** 2 + 0.9875 ** 2 + 2 * 0.0375 ** 2) / 3),
    'rewards/step_rar/mean': (1.1 + 0.05 + 0 + 0) / 4,
    'rewards/step_rvr/mean': 3 / 4,
    'rewards/answer/mean': 1 / 4,
    key_step_recall: (1 + 0.5) / 4,
    validity_rate: 3 / 4,
    frac_reward_zero_std: 2 / 4,
    chains: 4,
    groups: 2,
    'violations/STEP_GAP': 1,
    'completions/mean_length': (10 + 20 + 30 + 40) / 4,
    kl: 0.02,
    policy_loss: -0.5,
    entropy: 1.5,
    clip_ratio: 0.25,
    grad_norm: 3,
    lr: 1e-4,
    tokens_per_second: 100 / 2,
    step_time: 2,
  };

  it('gives every metric its hand-computed value, and no other', () => {
    assert.deepEqual(Object.keys(values).sort(), Object.keys(expected).sort());
    for (const [name, value] of Object.entries(expected)) close(values[name], value, name);
  });

  it('reward_std is the batch std, not the mean within-group std nor the population std', () => {
    const withinGroups = (Math.abs(2.1 - 0.05) / Math.SQRT2 + 0) / 2;
    const population = Math.sqrt((1.0625 ** 2 + 0.9875 ** 2 + 2 * 0.0375 ** 2) / 4);
    assert.ok(Math.abs(values.reward_std! - withinGroups) > 0.1 && Math.abs(values.reward_std! - population) > 0.1);
  });

  it('counts a chain in a group of one, or in a group tied up to float noise, as zero std (TRL: torch.isclose)', () => {
    const single = group([{ correct: true }]);
    close(stepMetrics([A, single]).frac_reward_zero_std, 1 / 3, 'one singleton of three chains');
    const noisy: ScoredGroup = { samples: [0.1 + 0.2, 0.3].map((total) => ({ rewards: { ...breakdown(), total } })) };
    close(stepMetrics([noisy]).frac_reward_zero_std, 1, 'totals equal up to rounding');
  });

  it('leaves out what the caller cannot know: no update, no time, token counts missing', () => {
    const recorded = stepMetrics([A, group([{}])]);
    for (const name of ['kl', 'policy_loss', 'entropy', 'clip_ratio', 'grad_norm', 'lr', 'step_time', 'tokens_per_second', 'completions/mean_length'])
      assert.ok(!(name in recorded), name);
    close(recorded.reward, (2.1 + 0.05 + 1) / 3, 'reward');
  });

  it('is zeros for an empty step', () => {
    const empty = stepMetrics([]);
    assert.equal(empty.reward, 0);
    assert.equal(empty.reward_std, 0);
    assert.equal(empty.frac_reward_zero_std, 0);
    assert.equal(empty.chains, 0);
  });
});

describe('evalMetrics on hand-made greedy chains', () => {
  // Right with every key step (2.1), right with half (2.05), wrong (1).
  const chains = [{ correct: true, ratio: 1 }, { correct: true, ratio: 0.5 }, {}].map((spec) => ({ rewards: breakdown(spec) }));
  const values = evalMetrics(chains);

  it('gives every eval metric its hand-computed value', () => {
    const expected: Record<string, number> = {
      'eval/reward': (2.1 + 2.05 + 1) / 3,
      'eval/accuracy': 2 / 3,
      'eval/accuracy_se': Math.sqrt(((2 / 3) * (1 / 3)) / 3),
      'eval/validity_rate': 1,
      'eval/key_step_recall': 1.5 / 3,
      'eval/faithfulness': 1 / 2,
      'eval/prompts': 3,
    };
    assert.deepEqual(Object.keys(values).sort(), Object.keys(expected).sort());
    for (const [name, value] of Object.entries(expected)) close(values[name], value, name);
  });

  it('is empty without prompts', () => assert.deepEqual(evalMetrics([]), {}));
});

describe('the metric table', () => {
  it('defines every metric the computation writes, with a formula and a description', () => {
    for (const name of [...Object.keys(stepMetrics([A, B], { update: UPDATE, seconds: 1 })), ...Object.keys(evalMetrics([{ rewards: breakdown() }]))]) {
      const d = metricDefinition(name);
      assert.ok(d && d.formula && d.description, name);
    }
  });

  it('has one row per name, and every rollout or update row is computed', () => {
    assert.equal(new Set(METRICS.map((m) => m.name)).size, METRICS.length);
    const written = new Set(Object.keys(stepMetrics([A, B], { update: UPDATE, seconds: 1 })));
    for (const m of METRICS) if ((m.source === 'rollout' || m.source === 'update') && !m.prefix) assert.ok(written.has(m.name), m.name);
  });

  it('reads eval/x and sft/x as x where the table has no row of their own, and families by prefix', () => {
    assert.equal(metricDefinition('eval/validity_rate'), metricDefinition('validity_rate'));
    assert.equal(metricDefinition('sft/loss'), metricDefinition('loss'));
    assert.equal(metricDefinition('violations/ORDER')!.name, 'violations/<code>');
    assert.equal(metricDefinition('eval/accuracy')!.name, 'eval/accuracy');
    assert.equal(metricDefinition('someone/else'), undefined);
  });
});
