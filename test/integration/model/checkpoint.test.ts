// Checkpoints round-trip exactly, are written atomically, and the ONNX export reproduces the logits.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { createPolicySessions, numPatches, packTokens, patchDim, patchifyBatch } from '../../../src/model';
import { exportPolicyOnnx, loadCheckpoint, loadWeights, saveCheckpoint } from '../../../src/trainer/checkpoint';
import { checkpointState } from '../../../src/trainer/checkpoint-state';
import { randomImage, randomTokens, rows, tinyConfig } from './fixtures';
import { Rng } from '../../../src/model/rng';

/** Seeded so a failure replays: rerun this file. */
const testRng = new Rng(707);

const tmpdir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-ckpt-'));

describe('checkpoints', () => {
  it('save → load round-trips params, optimizer state and config exactly', async () => {
    const c = tinyConfig();
    const policy = await createPolicySessions(c, { seed: 5, tokens: { pad: 0, eos: 2 }, runtime: { threads: 1 } });
    const tokens = [randomTokens(testRng, c, 5)];
    await policy.trainStep({ images: [randomImage(testRng, c)], tokens, lossMask: rows([5], () => 1), lr: 1e-2, objective: { kind: 'sft' } });
    const dir = path.join(tmpdir(), 'step-000001');
    saveCheckpoint(dir, { params: policy.params, optimizer: policy.optimizerState, state: { policy: c, step: 1 } });
    assert.deepEqual(fs.readdirSync(path.dirname(dir)), ['step-000001'], 'no temp folder left behind');
    const back = loadCheckpoint(dir);
    assert.deepEqual(back.state, { policy: c, step: 1 });
    assert.equal(back.optimizer.step, 1);
    for (const [k, v] of policy.params) assert.deepEqual(back.params.get(k), v);
    for (const [k, v] of policy.optimizerState.v) assert.deepEqual(back.optimizer.v.get(k), v);
    assert.throws(() => saveCheckpoint(dir, back), /already exists/);
    // Weights only (a shipped SFT checkpoint): enough to start from, not to resume.
    fs.rmSync(path.join(dir, 'optimizer.safetensors'));
    for (const [k, v] of policy.params) assert.deepEqual(loadWeights(dir).params.get(k), v);
    assert.throws(() => loadCheckpoint(dir), /optimizer\.safetensors is missing: this checkpoint holds weights only/);
    fs.writeFileSync(path.join(dir, 'model.safetensors'), Buffer.from('garbage!'));
    assert.throws(() => loadCheckpoint(dir), /model\.safetensors: checksum mismatch \(state\.json records sha256 [0-9a-f]{64}, the file has [0-9a-f]{64}\)/);
    await policy.release();
  });

  for (const external of [false, true]) {
    it(`the ONNX export gives the same logits as the runtime${external ? ', weights as external data' : ''}`, async () => {
      const c = tinyConfig();
      const policy = await createPolicySessions(c, { seed: 9, tokens: { pad: 0, eos: 2 }, runtime: { threads: 1 } });
      const file = path.join(fs.mkdtempSync(path.join(tmpdir(), 'export-')), 'policy.onnx');
      // 256 bytes: every weight matrix goes out; small constants stay (ORT reads Split sizes while loading).
      exportPolicyOnnx(file, c, policy.params, external ? 256 : undefined);
      const files = fs.readdirSync(path.dirname(file)).sort();
      if (external) {
        const big = [...policy.params].filter(([, v]) => v.byteLength >= 256);
        assert.ok(big.length >= 4);
        for (const [name] of big) assert.ok(files.includes(`${name}.bin`), `${name}.bin written beside the model: ${files.join(', ')}`);
      } else assert.deepEqual(files, ['policy.onnx']);
      assert.ok(!files.some((f) => f.includes('.tmp-')), 'no temp file left');
      const tokens = [randomTokens(testRng, c, c.maxTextLen)];
      const image = randomImage(testRng, c);
      const s = await ort.InferenceSession.create(file);
      const out = await s.run({
        ids: new ort.Tensor('int64', packTokens(c, tokens, 0).ids, [1, c.maxTextLen]),
        patches: new ort.Tensor('float32', patchifyBatch(c, [image]), [1, numPatches(c), patchDim(c)]),
      });
      const logits = out.logits!.data as Float32Array;
      const lp = (await policy.logprobs({ images: [image], tokens })).logp[0]!;
      for (let j = 0; j < c.maxTextLen - 1; j++) {
        const row = Array.from(logits.subarray(j * c.vocabSize, (j + 1) * c.vocabSize));
        const lse = Math.log(row.reduce((a, x) => a + Math.exp(x), 0));
        assert.ok(Math.abs(row[tokens[0]![j + 1]!]! - lse - lp[j]!) < 1e-4);
      }
      await policy.release();
    });
  }
});

describe('checkpoint state', () => {
  const good = {
    policy: {},
    config: {},
    tokenizer: { kind: 'stepgrpo-word-v1', tokens: [] },
    step: 3,
    dataCursor: { source: 'synthetic/v1', epoch: 0, index: 48 },
    reference: null,
  };
  it('accepts what the trainer writes and names the first wrong field otherwise', () => {
    assert.equal(checkpointState(good, 'state.json').step, 3);
    assert.throws(() => checkpointState({ ...good, step: -1 }, 'x/state.json'), /x\/state\.json: field 'step' should be an integer ≥ 0/);
    assert.throws(() => checkpointState({ ...good, dataCursor: { source: 's', epoch: 0 } }, 'state.json'), /field 'dataCursor\.index'/);
    assert.throws(() => checkpointState({ ...good, reference: 7 }, 'state.json'), /field 'reference'/);
    assert.throws(() => checkpointState({ ...good, tokenizer: {} }, 'state.json'), /field 'tokenizer\.tokens'/);
  });
});
