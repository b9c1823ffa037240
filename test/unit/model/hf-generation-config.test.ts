// generation_config.json: end-of-sequence ids joined with config.json's, sampling defaults, and
// errors that name the field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endOfSequenceIds, generationDefaults, parseGenerationConfig } from '../../../src/model/hf/generation-config';

describe('generation_config.json', () => {
  it("joins config.json's eos ids with generation_config's (int or list), in order, without repeats", () => {
    // Qwen3-0.6B: config.json says 151645, generation_config.json [151645, 151643].
    const gen = parseGenerationConfig({ bos_token_id: 151643, do_sample: true, eos_token_id: [151645, 151643], pad_token_id: 151643, temperature: 0.6, top_k: 20, top_p: 0.95 });
    assert.deepEqual(endOfSequenceIds({ eosTokenIds: [151645] }, gen), [151645, 151643]);
    assert.deepEqual(endOfSequenceIds({ eosTokenIds: [2] }, parseGenerationConfig({ eos_token_id: 7 })), [2, 7]);
    assert.deepEqual(endOfSequenceIds({ eosTokenIds: [2, 3] }, null), [2, 3]);
    assert.deepEqual(endOfSequenceIds({ eosTokenIds: [] }, parseGenerationConfig({ eos_token_id: [5, 5] })), [5]);
    assert.deepEqual(generationDefaults(gen), { temperature: 0.6, topP: 0.95, topK: 20 });
    assert.equal(gen.doSample, true);
    // Qwen2.5-7B-Instruct's file also sets a repetition penalty.
    const qwen25 = parseGenerationConfig({ do_sample: true, eos_token_id: [151645, 151643], repetition_penalty: 1.05, temperature: 0.7, top_p: 0.8, top_k: 20 });
    assert.deepEqual(generationDefaults(qwen25), { temperature: 0.7, topP: 0.8, topK: 20, repetitionPenalty: 1.05 });
  });

  it('leaves out what the file does not set', () => {
    const gen = parseGenerationConfig({ eos_token_id: null, temperature: null, transformers_version: '4.51.0' });
    assert.deepEqual(gen, { eosTokenIds: [], temperature: null, topP: null, topK: null, repetitionPenalty: null, doSample: null });
    assert.deepEqual(generationDefaults(gen), {});
    assert.deepEqual(generationDefaults(null), {});
  });

  it('names the file and the field of a bad value', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ eos_token_id: '2' }, /generation_config\.json: eos_token_id: must be a token id or a list/],
      [{ eos_token_id: [1, -2] }, /eos_token_id/],
      [{ temperature: 0 }, /temperature: must be a number > 0, got 0/],
      [{ top_p: 1.5 }, /top_p: must be a number in \(0, 1\]/],
      [{ top_k: 2.5 }, /top_k: must be an integer/],
      [{ repetition_penalty: 0 }, /repetition_penalty: must be a number > 0, got 0/],
      [{ repetition_penalty: '1.1' }, /repetition_penalty: must be a number > 0/],
      [{ do_sample: 'yes' }, /do_sample: must be true or false/],
    ];
    for (const [json, re] of bad) assert.throws(() => parseGenerationConfig(json), re, JSON.stringify(json));
    assert.throws(() => parseGenerationConfig([], '/m/generation_config.json'), /\/m\/generation_config\.json: \(root\): expected a JSON object/);
  });
});
