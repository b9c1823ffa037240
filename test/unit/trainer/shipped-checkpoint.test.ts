// The shipped SFT checkpoint stands in for exactly the warm-up that made it, and for nothing else.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TRAIN_PRESETS, presetConfig, resolveTrainConfig } from '../../../src/trainer/config';
import { reuseShippedSft, shippedSftCheckpoint } from '../../../src/trainer/shipped-checkpoint';

describe('shipped SFT checkpoint', () => {
  it('is found from the sources and fits the demo preset', async () => {
    const shipped = shippedSftCheckpoint();
    assert.ok(shipped, 'media/sft-demo/state.json is part of the repository');
    const { config, note } = await reuseShippedSft(presetConfig('demo'));
    assert.equal(config.initFrom, shipped);
    assert.equal(config.sft.steps, 0);
    assert.match(note!, /starting from the shipped SFT checkpoint/);
    assert.equal((await reuseShippedSft(presetConfig('grpo-outcome'))).config.initFrom, shipped, 'RL-only changes keep it');
  });

  it('is not used for another task, model, SFT budget or seed', async () => {
    for (const config of [
      presetConfig('hard'),
      presetConfig('clean'),
      TRAIN_PRESETS.smoke(presetConfig('demo')),
      resolveTrainConfig({ sft: { steps: 500 } }, presetConfig('demo')),
      resolveTrainConfig({ seed: 7 }, presetConfig('demo')),
    ]) {
      const r = await reuseShippedSft(config);
      assert.equal(r.config.initFrom, null);
      assert.match(r.note!, /not using the shipped SFT checkpoint/);
    }
  });
});
