// The run-config schema is generated from the config types and defaults: the committed file is
// current, its defaults are the trainer's, and every value it allows the trainer accepts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { SCHEMA_FILE, schemaText } from '../../../scripts/config-schema';
import { presetConfig, resolveTrainConfig, TRAIN_DEFAULTS, TRAIN_PRESETS } from '../../../src/trainer/config';
import { runConfigSchema, type JsonSchema } from '../../../src/trainer/config-schema';
import { checkRunConfig } from '../../../src/protocol/run-config-check';
import { starterConfig } from '../../../src/extension/runs/run-configs-starter';
import { HF_STARTER_CONFIG } from '../../../src/protocol/run-presets';

const schema = runConfigSchema();
const props = schema.properties as Record<string, JsonSchema>;
const section = (name: string) => props[name]!.properties as Record<string, JsonSchema>;

describe('run config schema', () => {
  it('media/run-config.schema.json is what `npm run schema` writes now', () => {
    assert.equal(fs.readFileSync(SCHEMA_FILE, 'utf8'), schemaText(), 'stale: run `npm run schema`');
  });

  it('has a description and a default for every field of the closed sections, equal to the trainer defaults', () => {
    for (const name of ['sft', 'rl', 'eval', 'runtime'] as const) {
      const defaults = TRAIN_DEFAULTS[name] as unknown as Record<string, unknown>;
      assert.deepEqual(Object.keys(section(name)).sort(), Object.keys(defaults).sort(), `${name}: fields`);
      for (const [field, s] of Object.entries(section(name))) {
        assert.ok(typeof s.description === 'string' && s.description.length > 10, `${name}.${field} has no description`);
        assert.deepEqual(s.default, defaults[field], `${name}.${field} default`);
      }
    }
    for (const [field, s] of Object.entries(props)) assert.ok(typeof s.description === 'string', `${field} has no description`);
  });

  it('every enum value it offers is accepted by the trainer, and a value outside is refused by both', () => {
    for (const [name, field] of [
      ['rl', 'aggregation'],
      ['rl', 'advantage'],
      ['runtime', 'executionProvider'],
    ] as const) {
      for (const value of section(name)[field]!.enum as string[]) assert.doesNotThrow(() => resolveTrainConfig({ [name]: { [field]: value } }), `${name}.${field} = ${value}`);
      assert.throws(() => resolveTrainConfig({ [name]: { [field]: 'nope' } }), new RegExp(`${name}\\.${field}`));
      assert.equal(checkRunConfig({ [name]: { [field]: 'nope' } })[0]?.path, `${name}.${field}`);
    }
  });

  it('the resolved config of every preset passes the schema (a branch config is one)', () => {
    for (const preset of Object.keys(TRAIN_PRESETS)) {
      const { model, ...rest } = presetConfig(preset);
      assert.deepEqual(checkRunConfig({ ...rest, model }), [], preset);
    }
  });

  it('the config Start StepGRPO Run writes for a Hugging Face model passes the check, with or without its budget', () => {
    const model = { hf: 'HuggingFaceTB/SmolLM2-135M-Instruct', ...HF_STARTER_CONFIG.model };
    assert.deepEqual(checkRunConfig({ ...HF_STARTER_CONFIG, model }), []);
    assert.deepEqual(checkRunConfig({ model, data: HF_STARTER_CONFIG.data }), []);
  });

  it("New Run Config's starting file passes the schema and the trainer", () => {
    const starter = starterConfig();
    assert.deepEqual(checkRunConfig(starter), []);
    const resolved = resolveTrainConfig(starter, presetConfig('demo'));
    assert.deepEqual(resolved, presetConfig('demo'), 'the starting file restates the demo defaults');
  });
});
