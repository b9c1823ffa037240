// Safetensors models on disk: a folder with one file or with an index and shards, or a file named
// directly; written back atomically in the layout read.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { type SafeTensorInput, encodeSafetensors, f32ToBf16 } from '../../../src/engine';
import { readSafetensorsModel, writeSafetensorsModel } from '../../../src/trainer/safetensors-files';
import { shardedFixture } from '../../fixtures/sharded-safetensors';
import { Rng } from '../../../src/model/rng';

/** Seeded so a failure replays: rerun this file. */
const testRng = new Rng(707);

const tmpdir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-st-'));

function writeFolder(files: Map<string, Uint8Array>): string {
  const dir = tmpdir();
  for (const [name, bytes] of files) fs.writeFileSync(path.join(dir, name), bytes);
  return dir;
}

describe('safetensors model files', () => {
  it('reads a sharded folder (or its index named directly) and writes it back byte for byte', () => {
    const fx = shardedFixture(testRng);
    const dir = writeFolder(fx.files);
    const model = readSafetensorsModel(dir);
    assert.deepEqual(readSafetensorsModel(path.join(dir, 'model.safetensors.index.json')), model);
    for (const [name, t] of fx.tensors) assert.deepEqual(model.tensors.get(name)!.data, t.data, name);
    const out = path.join(tmpdir(), 'nested', 'out');
    writeSafetensorsModel(out, model.tensors, model.layout);
    assert.deepEqual(fs.readdirSync(out).sort(), [...fx.files.keys()].sort(), 'no temp files left');
    for (const [name, bytes] of fx.files) {
      if (name.endsWith('.json')) assert.deepEqual(JSON.parse(fs.readFileSync(path.join(out, name), 'utf8')), JSON.parse(new TextDecoder().decode(bytes)));
      else assert.deepEqual(new Uint8Array(fs.readFileSync(path.join(out, name))), bytes, name);
    }
  });

  it('reads a single-file folder or file, and writes BF16 back as BF16', () => {
    const x = Float32Array.from({ length: 24 }, () => testRng.next() - 0.5);
    const bytes = encodeSafetensors(new Map([['w', { dtype: 'BF16' as const, shape: [4, 6], data: x }]]), { format: 'pt' });
    const dir = writeFolder(new Map([['model.safetensors', bytes]]));
    const model = readSafetensorsModel(dir);
    assert.deepEqual(model.layout.tensors.get('w'), { file: 'model.safetensors', dtype: 'BF16' });
    assert.deepEqual(readSafetensorsModel(path.join(dir, 'model.safetensors')), model);
    const trained = new Map<string, SafeTensorInput>([['w', { shape: [4, 6], data: x.map((v) => v * 3) }]]);
    writeSafetensorsModel(dir, trained, model.layout);
    const back = readSafetensorsModel(dir).tensors.get('w')!;
    assert.equal(back.dtype, 'BF16');
    assert.deepEqual(back.data, f32ToBf16(x.map((v) => v * 3)));
  });

  it('names what is missing', () => {
    const empty = tmpdir();
    assert.throws(() => readSafetensorsModel(empty), new RegExp(`${empty}: holds neither model\\.safetensors nor model\\.safetensors\\.index\\.json`));
    assert.throws(() => readSafetensorsModel(path.join(empty, 'nope')), /nope: no such file or folder/);
    const fx = shardedFixture(testRng, 2, 1);
    const dir = writeFolder(fx.files);
    const [tensor, shard] = Object.entries(fx.weightMap)[1]!;
    fs.rmSync(path.join(dir, shard));
    assert.throws(() => readSafetensorsModel(dir), new RegExp(`model\\.safetensors\\.index\\.json: tensor '${tensor}' is in shard '${shard}', which is missing`));
    fs.writeFileSync(path.join(dir, shard), fx.files.get(shard)!.subarray(0, 20));
    assert.throws(() => readSafetensorsModel(dir), new RegExp(`${path.join(dir, shard)}: not a valid safetensors file`));
  });
});
