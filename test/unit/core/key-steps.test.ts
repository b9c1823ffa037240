import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { KeyStepFormatError, parseKeySteps } from '../../../src/core/key-steps';
import { scoreChain } from '../../../src/core/reward';

const fixtures = path.join(__dirname, '../../fixtures/chains');

describe('parseKeySteps', () => {
  it('reads the R1-VL-10K {Steps: [...]} object, a bare list, and absent values', () => {
    const record = JSON.parse(fs.readFileSync(path.join(fixtures, 'r1vl10k-record.json'), 'utf8'));
    assert.deepEqual(parseKeySteps(record.key_steps), ['angle ACB = 90°', ['angle BAC = 50°', '180° - 90° - 40° = 50°']]);
    assert.deepEqual(parseKeySteps(['a', ['b', 'c']]), ['a', ['b', 'c']]);
    assert.deepEqual(parseKeySteps(undefined), []);
    assert.deepEqual(parseKeySteps({}), []);
  });

  it('reads the raw "Key Elements: ..." extraction text (step entries, alternatives with |)', () => {
    const text = fs.readFileSync(path.join(fixtures, 'key-elements.txt'), 'utf8');
    assert.deepEqual(parseKeySteps(text), ['angle ACB = 90°', ['angle BAC = 50°', 'BAC = 50'], '180° - 90° - 40°']);
  });

  it('names the field and index of a bad value', () => {
    assert.throws(
      () => parseKeySteps({ Steps: ['a', ['b', 'c'], ['d', 7]] }),
      (e: unknown) => {
        assert.ok(e instanceof KeyStepFormatError);
        assert.equal(e.message, 'key_steps.Steps[2][1]: expected a string, got number');
        assert.equal(e.field, 'key_steps.Steps[2][1]');
        return true;
      },
    );
    assert.throws(() => parseKeySteps({ Steps: 'a' }), /key_steps\.Steps: expected a list, got string/);
    assert.throws(() => parseKeySteps([1], 'gts.key_steps'), /gts\.key_steps\[0\]: expected a string or a list/);
    assert.throws(() => parseKeySteps(42), /key_steps: expected/);
  });

  it('a dataset record scores end to end', () => {
    const record = JSON.parse(fs.readFileSync(path.join(fixtures, 'r1vl10k-record.json'), 'utf8'));
    const r = scoreChain(record.solution, { solution: record.solution, keySteps: parseKeySteps(record.key_steps) });
    assert.equal(r.answer_correct, true);
    assert.equal(r.key_step_ratio, 1);
    assert.equal(r.validity, 1);
    const official = scoreChain(record.solution, { solution: record.solution, keySteps: parseKeySteps(record.key_steps) }, 'r1vl-official');
    assert.equal(official.total, 1 + 1 + 0.1);
  });
});
