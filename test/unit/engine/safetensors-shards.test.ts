// Sharded safetensors: index validation, merging shards with their layout, and planning the write
// back in the same layout.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type SafeTensorInput,
  bytesSource,
  encodeSafetensors,
  f32ToBf16,
  f32ToF16,
  parseShardIndex,
  planSafetensorsWrite,
  readSafetensors,
  readShardedModel,
  singleFileModel,
} from '../../../src/engine';
import { shardedFixture } from '../../fixtures/sharded-safetensors';
import { Rng } from '../../../src/model/rng';

/** Seeded so a failure replays: rerun this file. */
const testRng = new Rng(1818);

const INDEX = '/ckpt/model.safetensors.index.json';
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const concat = (parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

function readFixture(files: Map<string, Uint8Array>) {
  const index = parseShardIndex(text(files.get('model.safetensors.index.json')!), INDEX);
  return readShardedModel(index, INDEX, (f) => (files.has(f) ? bytesSource(files.get(f)!) : undefined));
}

/** The fixture with its index's JSON replaced by `edit` of it. */
function withIndex(files: Map<string, Uint8Array>, edit: (index: { metadata: unknown; weight_map: Record<string, string> }) => unknown): Map<string, Uint8Array> {
  const copy = new Map(files);
  copy.set('model.safetensors.index.json', new TextEncoder().encode(JSON.stringify(edit(JSON.parse(text(files.get('model.safetensors.index.json')!))))));
  return copy;
}

describe('sharded safetensors', () => {
  it('merges every shard, remembering each tensor’s file and dtype', () => {
    const fx = shardedFixture(testRng);
    const model = readFixture(fx.files);
    assert.deepEqual([...model.tensors.keys()].sort(), [...fx.tensors.keys()].sort());
    for (const [name, t] of fx.tensors) {
      assert.deepEqual(model.tensors.get(name)!.data, t.data, name);
      assert.deepEqual(model.layout.tensors.get(name), { file: fx.weightMap[name], dtype: t.dtype }, name);
    }
    assert.deepEqual(model.layout.index, { file: 'model.safetensors.index.json', metadata: { source: 'fixture' } });
  });

  it('writes back the same shards and an index with total_size the sum of tensor bytes', () => {
    const fx = shardedFixture(testRng);
    const model = readFixture(fx.files);
    const planned = planSafetensorsWrite(model.tensors, model.layout);
    assert.deepEqual([...planned.keys()].at(-1), 'model.safetensors.index.json', 'index written last');
    for (const [file, bytes] of fx.files) {
      if (file.endsWith('.json')) continue;
      assert.deepEqual(concat(planned.get(file)!), bytes, file);
    }
    const index = JSON.parse(text(concat(planned.get('model.safetensors.index.json')!)));
    assert.deepEqual(index.weight_map, fx.weightMap);
    // Sum of data sections, read from each shard's own header: independent of the planner's sum.
    let sum = 0;
    for (const [file, bytes] of fx.files) if (!file.endsWith('.json')) sum += bytes.length - 8 - Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.deepEqual(index.metadata, { source: 'fixture', total_size: sum });
  });

  it('trained float32 values go back in the dtype each tensor was read in', () => {
    const fx = shardedFixture(testRng, 2, 3);
    const model = readFixture(fx.files);
    const trained = new Map<string, SafeTensorInput>();
    for (const [name, t] of model.tensors) trained.set(name, { shape: t.shape, data: Float32Array.from({ length: t.data.length }, () => testRng.next() * 4 - 2) });
    const planned = planSafetensorsWrite(trained, model.layout);
    for (const [name, place] of model.layout.tensors) {
      const got = readSafetensors(bytesSource(concat(planned.get(place.file)!))).tensors.get(name)!;
      const x = trained.get(name)!.data as Float32Array;
      assert.equal(got.dtype, place.dtype, name);
      assert.deepEqual(got.data, place.dtype === 'BF16' ? f32ToBf16(x) : place.dtype === 'F16' ? f32ToF16(x) : x, name);
    }
  });

  it('a single file has a layout too, and writes back under its own name', () => {
    const fx = shardedFixture(testRng, 1, 4);
    const bytes = encodeSafetensors(fx.tensors, { format: 'pt' });
    const model = singleFileModel('model.safetensors', readSafetensors(bytesSource(bytes)));
    assert.equal(model.layout.index, undefined);
    const planned = planSafetensorsWrite(model.tensors, model.layout);
    assert.deepEqual([...planned.keys()], ['model.safetensors']);
    assert.deepEqual(concat(planned.get('model.safetensors')!), bytes);
  });

  it('rejects a bad index naming the file and the field', () => {
    assert.throws(() => parseShardIndex('{', INDEX), /^Error: \/ckpt\/model\.safetensors\.index\.json: not valid JSON/);
    assert.throws(() => parseShardIndex('{"metadata": {}}', INDEX), /index\.json: field 'weight_map' is missing or not an object/);
    assert.throws(() => parseShardIndex('{"weight_map": {}}', INDEX), /index\.json: field 'weight_map' lists no tensors/);
    assert.throws(() => parseShardIndex('{"metadata": 3, "weight_map": {"a": "x.safetensors"}}', INDEX), /index\.json: field 'metadata' is not an object/);
    assert.throws(() => parseShardIndex('{"weight_map": {"a": 7}}', INDEX), /index\.json: weight_map\['a'\] is 7, not a file name/);
    assert.throws(
      () => parseShardIndex('{"weight_map": {"a": "../../etc/x.safetensors"}}', INDEX),
      /weight_map\['a'\] is "\.\.\/\.\.\/etc\/x\.safetensors", not a file name in the index's folder/,
    );
  });

  it('checks the index against the shards both ways', () => {
    const fx = shardedFixture(testRng, 3, 2);
    const [first, second] = Object.keys(fx.weightMap).sort();
    const shardOf = (name: string): string => fx.weightMap[name]!;

    const missing = new Map(fx.files);
    missing.delete(shardOf(first!));
    assert.throws(() => readFixture(missing), new RegExp(`index\\.json: tensor '${first}' and 1 more is in shard '${shardOf(first!)}', which is missing`));

    const phantom = withIndex(fx.files, (ix) => ({ ...ix, weight_map: { ...ix.weight_map, 'lm_head.weight': shardOf(first!) } }));
    assert.throws(() => readFixture(phantom), new RegExp(`index\\.json: tensor 'lm_head\\.weight' is listed in shard '${shardOf(first!)}', which does not hold it`));

    const unlisted = withIndex(fx.files, (ix) => {
      const { [second!]: _dropped, ...rest } = ix.weight_map;
      return { ...ix, weight_map: rest };
    });
    assert.throws(() => readFixture(unlisted), new RegExp(`^Error: /ckpt/${shardOf(second!)}: tensor '${second}' is not listed in /ckpt/model\\.safetensors\\.index\\.json`));

    // The first shard's tensor, listed under the last shard: the first shard holds a tensor listed elsewhere.
    const last = [...new Set(Object.values(fx.weightMap))].sort().at(-1)!;
    const moved = withIndex(fx.files, (ix) => ({ ...ix, weight_map: { ...ix.weight_map, [first!]: last } }));
    assert.throws(
      () => readFixture(moved),
      new RegExp(`^Error: /ckpt/${shardOf(first!)}: tensor '${first}' is listed in /ckpt/model\\.safetensors\\.index\\.json under shard '${last}'`),
    );
  });

  it('refuses to write tensors that do not match the layout', () => {
    const fx = shardedFixture(testRng, 2, 2);
    const model = readFixture(fx.files);
    const extra = new Map<string, SafeTensorInput>([...model.tensors, ['lora.A', { shape: [1], data: Float32Array.of(1) }]]);
    assert.throws(() => planSafetensorsWrite(extra, model.layout), /model\.safetensors\.index\.json: tensor 'lora\.A' has no place in the layout/);
    const fewer = new Map(model.tensors);
    const gone = [...fewer.keys()][0]!;
    fewer.delete(gone);
    assert.throws(() => planSafetensorsWrite(fewer, model.layout), new RegExp(`tensor '${gone.replace(/\./g, '\\.')}' of the layout is missing from the tensors to write`));
    const [name, place] = [...model.layout.tensors][0]!;
    const wrong = place.dtype === 'BF16' ? 'F16' : 'BF16';
    const relabelled = new Map<string, SafeTensorInput>([...model.tensors, [name, { shape: [1], data: new Uint16Array(1), dtype: wrong }]]);
    assert.throws(() => planSafetensorsWrite(relabelled, model.layout), new RegExp(`tensor '${name}' holds raw ${wrong} data, the layout stores it as ${place.dtype}`));
  });
});
