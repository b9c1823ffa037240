// The check a config file passes before a trainer is spawned: problems name the dotted field and
// the exact text to underline.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkRunConfig, parseLocated } from '../../../src/extension/runs/config-check';
import { runConfigSchema } from '../../../src/trainer/config-schema';

const schema = runConfigSchema();
const check = (text: string) => checkRunConfig(text, schema);
const underlined = (text: string) => check(text).map((i) => [i.path, text.slice(i.start, i.end)]);

describe('checkRunConfig', () => {
  it('a typo in a field name is an unknown field on its key, with the near name suggested', () => {
    const text = '{\n  "rl": { "grupSize": 4, "steps": 3 }\n}';
    const [issue, ...rest] = check(text);
    assert.deepEqual(rest, []);
    assert.equal(issue!.path, 'rl.grupSize');
    assert.match(issue!.message, /unknown field "grupSize" \(did you mean "groupSize"\?\)/);
    assert.equal(text.slice(issue!.start, issue!.end), '"grupSize"');
  });

  it('a wrong type, a value out of range and a bad enum are errors on the value', () => {
    assert.deepEqual(underlined('{"rl": {"groupSize": "4", "temperature": 0, "advantage": "token"}}'), [
      ['rl.groupSize', '"4"'],
      ['rl.temperature', '0'],
      ['rl.advantage', '"token"'],
    ]);
    assert.match(check('{"sft": {"steps": 1.5}}')[0]!.message, /expected an integer, got 1.5/);
  });

  it('data sources: the synthetic task and an R1-VL dataset; the branch a value meant explains it', () => {
    assert.deepEqual(check('{"data": {"kind": "synthetic", "grid": 4}}'), []);
    assert.deepEqual(check('{"data": {"kind": "r1vl", "path": "d.jsonl", "fit": "cover"}}'), []);
    assert.deepEqual(underlined('{"data": {"kind": "synthetic", "gird": 4}}'), [['data.gird', '"gird"']]);
    assert.match(check('{"data": {"kind": "r1vl"}}')[0]!.message, /missing the required field "path"/);
  });

  it('reward: a preset name or settings; initFrom: a string or null', () => {
    assert.deepEqual(check('{"reward": "grpo-outcome", "initFrom": null}'), []);
    assert.deepEqual(check('{"reward": {"mode": "r1vl", "alpha": 0.1}, "initFrom": "/x/checkpoints/step-000003"}'), []);
    assert.equal(check('{"reward": "stepgrpo-v2"}')[0]!.path, 'reward');
  });

  it('runtime: deviceId an integer ≥ 0, providerOptions free keys with string, number or boolean values', () => {
    assert.deepEqual(check('{"runtime": {"executionProvider": "webgpu", "deviceId": 1, "providerOptions": {"validationMode": "full", "enableRobustness": true}}}'), []);
    assert.deepEqual(underlined('{"runtime": {"deviceId": -1, "providerOptions": {"forceCpuNodeNames": ["a"]}, "executionProvider": "tpu"}}'), [
      ['runtime.deviceId', '-1'],
      ['runtime.providerOptions.forceCpuNodeNames', '["a"]'],
      ['runtime.executionProvider', '"tpu"'],
    ]);
    assert.match(check('{"runtime": {"providerOptions": "full"}}')[0]!.message, /expected a object, got "full"/);
  });

  it('text that is not JSON is one issue at the place it breaks', () => {
    const text = '{"rl": {"steps": 3,}}';
    const [issue] = check(text);
    assert.match(issue!.message, /not valid JSON: expected a string, found "}"/);
    assert.equal(issue!.start, text.indexOf(',}') + 1);
    assert.deepEqual(
      check('[1, 2]').map((i) => i.message),
      ['expected a object, got [1,2]'],
    );
  });

  it('parseLocated agrees with JSON.parse and skips a byte-order mark', () => {
    const text = '{"a": [1, -2.5e3, true, null, "x\\"y"], "b": {}}';
    assert.deepEqual(parseLocated(text).value, JSON.parse(text));
    assert.deepEqual(check('\uFEFF{"seed": 1}'), []);
  });
});
