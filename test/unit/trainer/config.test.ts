import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TRAIN_DEFAULTS, TRAIN_PRESETS, resolveTrainConfig } from '../../../src/trainer/config';
import { POLICY_DEFAULTS } from '../../../src/model/config';
import { RunControl } from '../../../src/trainer/run-control';
import { completionMask } from '../../../src/trainer/sequences';

describe('resolveTrainConfig', () => {
  it('deep-merges overrides over the defaults', () => {
    const c = resolveTrainConfig({ rl: { groupSize: 8 }, sft: { steps: 5 } });
    assert.equal(c.rl.groupSize, 8);
    assert.equal(c.rl.temperature, TRAIN_DEFAULTS.rl.temperature);
    assert.equal(c.sft.steps, 5);
    assert.equal(c.sft.batchSize, TRAIN_DEFAULTS.sft.batchSize);
  });
  it('refuses what the run config check refuses, every problem named by its dotted field', () => {
    assert.throws(() => resolveTrainConfig({ rl: { groupsize: 4 } }), /^Error: config: rl\.groupsize: unknown field "groupsize" \(did you mean "groupSize"\?\)/);
    assert.throws(() => resolveTrainConfig({ rl: { groupSize: '4', beta: -1 } }), /rl\.groupSize: expected an integer ≥ 2 and ≤ 1024, got "4"; rl\.beta: expected a number ≥ 0/);
    assert.throws(() => resolveTrainConfig([]), /config: expected an object, got \[\]/);
    assert.throws(() => resolveTrainConfig({ rl: { adamEps: 0 } }), /rl\.adamEps: expected a number > 0 and ≤ 1, got 0/);
    assert.throws(() => resolveTrainConfig({ runtime: { providerOptions: { name: 'cuda' } } }), /runtime\.providerOptions\.name: set runtime\.executionProvider instead/);
  });
  it('runtime: a device id and provider options laid over the defaults', () => {
    const c = resolveTrainConfig({ runtime: { executionProvider: 'webgpu', deviceId: 1, providerOptions: { validationMode: 'full', enableRobustness: true } } });
    assert.deepEqual(c.runtime, { ...TRAIN_DEFAULTS.runtime, executionProvider: 'webgpu', deviceId: 1, providerOptions: { validationMode: 'full', enableRobustness: true } });
    assert.deepEqual(TRAIN_DEFAULTS.runtime.providerOptions, {}, 'the defaults are not mutated by a merge');
  });
  it('checks the merged config too: a base that breaks a rule is refused', () => {
    const base = { ...TRAIN_DEFAULTS, rl: { ...TRAIN_DEFAULTS.rl, topP: 0 } };
    assert.throws(() => resolveTrainConfig({}, base), /rl\.topP: expected a number > 0 and ≤ 1, got 0/);
  });
  it('the tiny policy sizes of the defaults are the model defaults (one home for the numbers)', () => {
    const { image, ...sizes } = TRAIN_DEFAULTS.model as Record<string, unknown> & { image: { patchSize: number } };
    for (const [k, v] of Object.entries(sizes)) assert.equal(v, POLICY_DEFAULTS[k as keyof typeof POLICY_DEFAULTS], k);
    assert.equal(image.patchSize, POLICY_DEFAULTS.image.patchSize);
  });
  it('keeps every preset valid', () => {
    for (const [name, preset] of Object.entries(TRAIN_PRESETS)) assert.doesNotThrow(() => resolveTrainConfig({}, preset(TRAIN_DEFAULTS)), name);
  });
});

describe('completionMask', () => {
  it('covers exactly the predictions of completion tokens', () => {
    // tokens: [bos, p1, p2 | c1, c2]: predictions j=0..3 predict tokens 1..4; completion starts at index 3.
    assert.deepEqual(completionMask(3, 5), [0, 0, 1, 1]);
    assert.deepEqual(completionMask(3, 3), [0, 0]);
  });
});

describe('RunControl', () => {
  it('wakes a paused trainer on resume, checkpoint request and stop', async () => {
    const c = new RunControl();
    c.pause();
    assert.equal(c.isPaused, true);
    const woken: string[] = [];
    const wait = (label: string) => c.nextRequest().then(() => woken.push(label));
    const first = wait('checkpoint');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(woken, []);
    c.requestCheckpoint();
    await first;
    assert.equal(c.isPaused, true, 'a checkpoint request does not end the pause');
    const second = wait('stop');
    c.stop();
    await second;
    assert.deepEqual(woken, ['checkpoint', 'stop']);
    assert.equal(c.isPaused, false);
    assert.equal(c.signal.aborted, true);
    c.pause();
    assert.equal(c.isPaused, false, 'a stopped run cannot be paused');
  });
  it('hands out a checkpoint request once', () => {
    const c = new RunControl();
    c.requestCheckpoint();
    assert.equal(c.takeCheckpointRequest(), true);
    assert.equal(c.takeCheckpointRequest(), false);
  });
});
