// The run config's `model` section for a Hugging Face model: defaults, the merge over a preset's
// tiny-policy sizes, and errors that name the field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TRAIN_DEFAULTS, TRAIN_PRESETS, resolveTrainConfig } from '../../../src/trainer/config';
import { HF_MODEL_DEFAULTS, isHfModel } from '../../../src/trainer/hf-settings';
import { checkpointState, tinyCheckpointState } from '../../../src/trainer/checkpoint-state';

describe('model.hf in the run config', () => {
  it('replaces the tiny-policy sizes of the preset and fills the HF defaults', () => {
    const c = resolveTrainConfig({ model: { hf: 'Qwen/Qwen2.5-0.5B-Instruct' } }, TRAIN_PRESETS.smoke!(TRAIN_DEFAULTS));
    assert.ok(isHfModel(c.model));
    assert.deepEqual(c.model, { ...HF_MODEL_DEFAULTS, hf: 'Qwen/Qwen2.5-0.5B-Instruct' });
    assert.equal(c.sft.steps, 3, 'the smoke preset still sets the budget');
  });

  it('takes lora: null as full fine-tuning and keeps the targets it is given', () => {
    assert.equal((resolveTrainConfig({ model: { hf: 'x', lora: null } }).model as { lora: unknown }).lora, null);
    const c = resolveTrainConfig({ model: { hf: 'x', lora: { rank: 4, targetModules: ['q_proj', 'down_proj'] } } });
    assert.deepEqual((c.model as { lora: unknown }).lora, { rank: 4, alpha: HF_MODEL_DEFAULTS.lora!.alpha, targetModules: ['q_proj', 'down_proj'] });
  });

  for (const [model, message] of [
    [{ hf: '' }, /model\.hf: expected a non-blank string/],
    [{ hf: 'x', dModel: 64 }, /model\.dModel: unknown field "dModel"; expected one of hf, lora/],
    [{ hf: 'x', lora: { rank: 0 } }, /model\.lora\.rank: expected an integer ≥ 1/],
    [{ hf: 'x', lora: { alpha: -1 } }, /model\.lora\.alpha: expected a number > 0/],
    [{ hf: 'x', lora: { targetModules: ['qkv'] } }, /model\.lora\.targetModules\[0\]: expected one of "q_proj"/],
    [{ hf: 'x', lora: { dropout: 0.1 } }, /model\.lora\.dropout: unknown field/],
    [{ hf: 'x', lora: { targetModules: ['q_proj', 'q_proj'] } }, /model\.lora\.targetModules: expected no item twice/],
    [{ hf: 'x', maxTextLen: 1 }, /model\.maxTextLen: expected an integer ≥ 2/],
    [{ hf: 'x', chat: 'yes' }, /model\.chat: expected true or false/],
    [{ hf: 'x', systemPrompt: 3 }, /model\.systemPrompt: expected a string or null/],
  ] as const) {
    it(`refuses ${JSON.stringify(model)}`, () => assert.throws(() => resolveTrainConfig({ model }), message));
  }

  it('a checkpoint of an HF run holds no tokenizer and names its model folder; tiny-only readers refuse it', () => {
    const state = {
      policy: { family: 'hf', dir: '/models/qwen', settings: {}, config: {} },
      config: {},
      tokenizer: null,
      step: 3,
      dataCursor: { source: 's', epoch: 0, index: 2 },
      reference: null,
    };
    assert.equal(checkpointState(state, 'state.json').step, 3);
    assert.throws(() => checkpointState({ ...state, policy: { family: 'hf' } }, 'x/state.json'), /x\/state\.json: field 'policy\.dir'/);
    assert.throws(() => tinyCheckpointState(state, 'x/state.json'), /holds a Hugging Face model/);
  });
});
