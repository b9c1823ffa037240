import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeMetric } from '../../../webview/metrics/metric-docs';
import { COMMON_GROUP, groupMetrics, nearestIndex, overlayDomain, readoutAt, isRewardDependent, type RunLine } from '../../../webview/metrics/overlay';

function line(runId: string, steps: number[], values: number[], smoothed = values, color = 0): RunLine {
  return { runId, color, steps, values, smoothed };
}

describe('groupMetrics', () => {
  it('orders known metrics as DESIGN §3 lists them and files the rest by prefix', () => {
    const groups = groupMetrics([
      'loss',
      'time/sample',
      'eval/reward',
      'kl',
      'reward_std',
      'reward',
      'rewards/step_rar/mean',
      'step_time',
      'zzz',
      'eval/accuracy',
      'rewards/custom',
      'memory/rss_mb',
    ]);
    assert.deepEqual(groups, [
      { name: 'Reward', metrics: ['reward', 'reward_std', 'rewards/step_rar/mean', 'rewards/custom'] },
      { name: 'Policy', metrics: ['kl'] },
      { name: 'SFT', metrics: ['loss'] },
      { name: 'Eval', metrics: ['eval/accuracy', 'eval/reward'] },
      { name: 'Speed', metrics: ['step_time', 'time/sample'] },
      { name: 'Memory', metrics: ['memory/rss_mb'] },
      { name: 'Other', metrics: ['zzz'] },
    ]);
  });
  it('leaves out empty groups', () => {
    assert.deepEqual(groupMetrics(['loss']), [{ name: 'SFT', metrics: ['loss'] }]);
    assert.deepEqual(groupMetrics([]), []);
  });

  it('puts the metrics every reward definition measures alike first when the overlaid runs differ', () => {
    const names = ['reward', 'rewards/answer/mean', 'kl', 'validity_rate', 'key_step_recall', 'eval/accuracy', 'eval/reward'];
    const [first, ...rest] = groupMetrics(names, true);
    assert.deepEqual(first, { name: COMMON_GROUP, metrics: ['rewards/answer/mean', 'validity_rate', 'key_step_recall', 'eval/accuracy'] });
    assert.deepEqual(
      rest.map((g) => g.metrics),
      [['reward'], ['kl'], ['eval/reward']],
    );
    for (const m of first!.metrics) assert.ok(!isRewardDependent(m) && describeMetric(m), m);
    assert.ok(isRewardDependent('reward') && isRewardDependent('eval/reward'));
    assert.equal(groupMetrics(names)[0]!.name, 'Reward', 'same definitions: the usual order');
  });
});

describe('describeMetric', () => {
  it('describes every metric of DESIGN §3, with eval/ and sft/ prefixes read as the base name', () => {
    for (const m of [
      'reward',
      'reward_std',
      'rewards/step_rar/mean',
      'rewards/step_rvr/mean',
      'rewards/answer/mean',
      'key_step_recall',
      'validity_rate',
      'frac_reward_zero_std',
      'kl',
      'policy_loss',
      'entropy',
      'clip_ratio',
      'completions/mean_length',
      'grad_norm',
      'lr',
      'tokens_per_second',
      'step_time',
      'memory/rss_mb',
    ])
      assert.ok(describeMetric(m), m);
    assert.match(describeMetric('memory/rss_mb')!, /Peak resident memory .* in MiB/);
    assert.equal(describeMetric('eval/validity_rate'), describeMetric('validity_rate'));
    assert.equal(describeMetric('someone/else'), undefined);
  });
});

describe('overlayDomain', () => {
  it('spans every run, raw and smoothed values alike', () => {
    const grpo = line('grpo', [1, 2, 3], [0.1, 0.5, 0.2], [0.1, 0.3, 0.25]);
    const step = line('step', [2, 10], [0.4, 0.9], [-0.2, 0.6]);
    assert.deepEqual(overlayDomain([grpo, step]), { x0: 1, x1: 10, y0: -0.2, y1: 0.9 });
  });
  it('is undefined without points, and ignores empty runs', () => {
    assert.equal(overlayDomain([]), undefined);
    assert.equal(overlayDomain([line('a', [], [])]), undefined);
    assert.deepEqual(overlayDomain([line('a', [], []), line('b', [4], [2])]), { x0: 4, x1: 4, y0: 2, y1: 2 });
  });
});

describe('hover read-out', () => {
  it('nearestIndex finds the closest step, the earlier one on a tie', () => {
    const steps = [0, 10, 20, 30];
    assert.deepEqual(
      [-5, 0, 4, 5, 6, 29, 100].map((s) => nearestIndex(steps, s)),
      [0, 0, 0, 0, 1, 3, 3],
    );
    assert.equal(nearestIndex([], 3), -1);
  });
  it('gives each run its nearest point within the tolerance, smoothed and raw', () => {
    const grpo = line('grpo', [1, 2, 3, 4], [1, 2, 3, 4], [1, 1.5, 2.2, 3], 0);
    const short = line('short', [1, 2], [5, 6], [5, 5.5], 1);
    assert.deepEqual(readoutAt([grpo, short], 2.2, 0.5), [
      { runId: 'grpo', color: 0, step: 2, value: 1.5, raw: 2 },
      { runId: 'short', color: 1, step: 2, value: 5.5, raw: 6 },
    ]);
    // The short run ended two steps before the cursor: it says nothing there.
    assert.deepEqual(
      readoutAt([grpo, short], 4, 0.5).map((r) => r.runId),
      ['grpo'],
    );
  });
});
