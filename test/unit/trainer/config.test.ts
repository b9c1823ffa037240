import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TRAIN_DEFAULTS, TRAIN_PRESETS, resolveTrainConfig } from '../../../src/trainer/config';
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
  it('names unknown and mistyped fields by their dotted path', () => {
    assert.throws(() => resolveTrainConfig({ rl: { groupsize: 4 } }), /unknown field "rl.groupsize"/);
    assert.throws(() => resolveTrainConfig({ rl: { groupSize: '4' } }), /rl.groupSize: expected a number, got "4"/);
    assert.throws(() => resolveTrainConfig({ rl: { groupSize: 1 } }), /rl.groupSize must be ≥ 2/);
    assert.throws(() => resolveTrainConfig([]), /expected a JSON object/);
    assert.throws(() => resolveTrainConfig({ rl: { advantage: 'token' } }), /rl.advantage must be one of "sequence", "step", got "token"/);
    assert.throws(() => resolveTrainConfig({ rl: { adamEps: 0 } }), /rl.adamEps must be a finite number > 0, got 0/);
  });
  it('runtime: a device id and provider options, each error naming its field', () => {
    const c = resolveTrainConfig({ runtime: { executionProvider: 'webgpu', deviceId: 1, providerOptions: { validationMode: 'full', enableRobustness: true } } });
    assert.deepEqual(c.runtime, { ...TRAIN_DEFAULTS.runtime, executionProvider: 'webgpu', deviceId: 1, providerOptions: { validationMode: 'full', enableRobustness: true } });
    assert.deepEqual(TRAIN_DEFAULTS.runtime.providerOptions, {}, 'the defaults are not mutated by a merge');
    assert.throws(() => resolveTrainConfig({ runtime: { executionProvider: 'tpu' } }), /runtime\.executionProvider must be one of "cpu", "cuda", "webgpu", got "tpu"/);
    assert.throws(() => resolveTrainConfig({ runtime: { deviceId: -1 } }), /runtime\.deviceId must be an integer ≥ 0, got -1/);
    assert.throws(() => resolveTrainConfig({ runtime: { deviceId: 0.5 } }), /runtime\.deviceId must be an integer ≥ 0, got 0.5/);
    assert.throws(() => resolveTrainConfig({ runtime: { deviceId: '1' } }), /runtime\.deviceId: expected a number, got "1"/);
    assert.throws(() => resolveTrainConfig({ runtime: { providerOptions: 'full' } }), /runtime\.providerOptions: expected an object, got "full"/);
    assert.throws(
      () => resolveTrainConfig({ runtime: { providerOptions: { forceCpuNodeNames: ['a'] } } }),
      /runtime\.providerOptions\.forceCpuNodeNames: expected a string, number or boolean, got \["a"\]/,
    );
    assert.throws(() => resolveTrainConfig({ runtime: { providerOptions: { deviceId: 1 } } }), /runtime\.providerOptions\.deviceId: set runtime\.deviceId instead/);
    assert.throws(() => resolveTrainConfig({ runtime: { providerOptions: { name: 'cuda' } } }), /runtime\.providerOptions\.name: set runtime\.executionProvider instead/);
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
