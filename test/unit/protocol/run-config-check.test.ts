// The one check of a run config: problems name the dotted field, the allowed values or range, and
// (for a file's text) the exact text to underline.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkRunConfig, checkRunConfigText, describeConfigIssues, lineColumn } from '../../../src/protocol/run-config-check';

const check = (text: string) => checkRunConfigText(text);
const underlined = (text: string) => check(text).map((i) => [i.path, text.slice(i.start, i.end)]);
const issuesOf = (config: unknown) => checkRunConfig(config).map((i) => `${i.path}: ${i.message}`);

describe('checkRunConfigText', () => {
  it('a typo in a field name is an unknown field on its key, with the near name suggested', () => {
    const text = '{\n  "rl": { "grupSize": 4, "steps": 3 }\n}';
    const [issue, ...rest] = check(text);
    assert.deepEqual(rest, []);
    assert.equal(issue!.path, 'rl.grupSize');
    assert.match(issue!.message, /unknown field "grupSize" \(did you mean "groupSize"\?\)/);
    assert.equal(text.slice(issue!.start, issue!.end), '"grupSize"');
  });

  it('a wrong type, a value out of range and a bad enum are errors on the value, naming what is allowed', () => {
    const text = '{"rl": {"groupSize": "4", "temperature": 0, "advantage": "token"}}';
    assert.deepEqual(underlined(text), [
      ['rl.groupSize', '"4"'],
      ['rl.temperature', '0'],
      ['rl.advantage', '"token"'],
    ]);
    assert.deepEqual(
      check(text).map((i) => i.message),
      ['expected an integer ≥ 2 and ≤ 1024, got "4"', 'expected a number > 0 and ≤ 10, got 0', 'expected one of "sequence", "step", got "token"'],
    );
    assert.match(check('{"sft": {"steps": 1.5}}')[0]!.message, /expected an integer ≥ 0 and ≤ 10000000, got 1.5/);
  });

  it('data sources: the synthetic task and an R1-VL dataset; the form a value meant explains it', () => {
    assert.deepEqual(check('{"data": {"kind": "synthetic", "grid": 4}}'), []);
    assert.deepEqual(check('{"data": {"kind": "r1vl", "path": "d.jsonl", "fit": "cover"}}'), []);
    assert.deepEqual(underlined('{"data": {"kind": "synthetic", "gird": 4}}'), [['data.gird', '"gird"']]);
    const text = '{"data": {"kind": "r1vl"}}';
    assert.deepEqual(
      check(text).map((i) => [i.path, i.message, text.slice(i.start, i.end)]),
      [['data', 'missing the required field "path"', '{']],
    );
    assert.deepEqual(issuesOf({ data: { kind: 'synthetic', shapes: ['circle', 'hexagon'] } }), ['data.shapes[1]: expected one of "circle", "square", "triangle", got "hexagon"']);
  });

  it('reward: a preset name or settings; the settings explain a bad field of their own', () => {
    assert.deepEqual(check('{"reward": "grpo-outcome", "initFrom": null}'), []);
    assert.deepEqual(check('{"reward": {"mode": "r1vl", "alpha": 0.1}, "initFrom": "/x/checkpoints/step-000003"}'), []);
    assert.deepEqual(issuesOf({ reward: 'stepgrpo-v2' }), ['reward: expected one of "stepgrpo", "grpo-outcome", "r1vl-official", got "stepgrpo-v2"']);
    assert.deepEqual(issuesOf({ reward: { alpha: -1 } }), ['reward.alpha: expected a number ≥ 0, got -1']);
  });

  it('model: the tiny sizes or a Hugging Face model, each with its own fields', () => {
    assert.deepEqual(issuesOf({ model: { dModel: 64, nHeads: 2 } }), []);
    assert.deepEqual(issuesOf({ model: { hf: 'x', lora: { rank: 4, targetModules: ['q_proj'] } } }), []);
    assert.deepEqual(issuesOf({ model: { hf: 'x', dModel: 64 } }), ['model.dModel: unknown field "dModel"; expected one of hf, lora, maxTextLen, chat, systemPrompt']);
    assert.deepEqual(issuesOf({ model: { hf: ' ' } }), ['model.hf: expected a non-blank string, got " "']);
    assert.deepEqual(issuesOf({ model: { hf: 'x', lora: { rank: 0 } } }), ['model.lora.rank: expected an integer ≥ 1 and ≤ 4096, got 0']);
    assert.deepEqual(issuesOf({ model: { hf: 'x', lora: { targetModules: ['qkv'] } } })[0]?.split(':')[0], 'model.lora.targetModules[0]');
  });

  it('runtime: deviceId an integer ≥ 0, providerOptions free keys with string, number or boolean values', () => {
    assert.deepEqual(check('{"runtime": {"executionProvider": "webgpu", "deviceId": 1, "providerOptions": {"validationMode": "full", "enableRobustness": true}}}'), []);
    assert.deepEqual(underlined('{"runtime": {"deviceId": -1, "providerOptions": {"forceCpuNodeNames": ["a"]}, "executionProvider": "tpu"}}'), [
      ['runtime.deviceId', '-1'],
      ['runtime.providerOptions.forceCpuNodeNames', '["a"]'],
      ['runtime.executionProvider', '"tpu"'],
    ]);
    assert.deepEqual(issuesOf({ runtime: { providerOptions: 'full' } }), ['runtime.providerOptions: expected an object, got "full"']);
    assert.deepEqual(underlined('{"runtime": {"providerOptions": {"name": "cuda", "deviceId": 1}}}'), [
      ['runtime.providerOptions.name', '"name"'],
      ['runtime.providerOptions.deviceId', '"deviceId"'],
    ]);
    assert.deepEqual(issuesOf({ runtime: { providerOptions: { name: 'cuda' } } }), ['runtime.providerOptions.name: set runtime.executionProvider instead']);
  });

  it('refuses at once the bad inputs that used to train or fail only after SFT (issue 19)', () => {
    for (const [config, path, range] of [
      [{ rl: { beta: -1 } }, 'rl.beta', '≥ 0 and ≤ 100'],
      [{ rl: { temperature: 0 } }, 'rl.temperature', '> 0 and ≤ 10'],
      [{ rl: { topP: 0 } }, 'rl.topP', '> 0 and ≤ 1'],
      [{ rl: { topK: -1 } }, 'rl.topK', '≥ 0 and ≤ 1000000'],
      [{ rl: { repetitionPenalty: 0 } }, 'rl.repetitionPenalty', '> 0 and ≤ 10'],
      [{ rl: { lr: 0 } }, 'rl.lr', '> 0 and ≤ 1'],
      [{ sft: { lr: -1e-3 } }, 'sft.lr', '> 0 and ≤ 1'],
      [{ sft: { batchSize: 1e7 } }, 'sft.batchSize', '≥ 1 and ≤ 65536'],
      [{ rl: { groupSize: 1e9 } }, 'rl.groupSize', '≥ 2 and ≤ 1024'],
      [{ rl: { groupSize: 1 } }, 'rl.groupSize', '≥ 2 and ≤ 1024'],
    ] as const) {
      const issues = checkRunConfig(config);
      assert.equal(issues.length, 1, JSON.stringify(config));
      assert.equal(issues[0]!.path, path);
      assert.ok(issues[0]!.message.includes(range), issues[0]!.message);
    }
  });

  it('text that is not JSON is one issue at the place it breaks; comments are not JSON either', () => {
    const text = '{"rl": {"steps": 3,}}';
    const [issue, ...rest] = check(text);
    assert.deepEqual(rest, []);
    assert.match(issue!.message, /^not valid JSON: property name expected/);
    assert.equal(issue!.start, text.indexOf(',}') + 1);
    assert.match(check('{"seed": 1 // one\n}')[0]!.message, /^not valid JSON/);
    assert.deepEqual(
      check('[1, 2]').map((i) => i.message),
      ['expected an object, got [1,2]'],
    );
  });

  it('a byte-order mark is skipped and offsets stay those of the text as given', () => {
    assert.deepEqual(check('\uFEFF{"seed": 1}'), []);
    const text = '\uFEFF{"seed": -1}';
    assert.deepEqual(underlined(text), [['seed', '-1']]);
  });

  it('describes a file problem by file, line and column', () => {
    const text = '{\n  "rl": {\n    "beta": -1\n  }\n}';
    const issues = check(text);
    assert.equal(lineColumn(text, issues[0]!.start), '3:13');
    assert.equal(describeConfigIssues('my.stepgrpo.json', text, issues), 'my.stepgrpo.json:3:13: rl.beta: expected a number ≥ 0 and ≤ 100, got -1');
  });
});
