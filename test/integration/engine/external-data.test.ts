// ONNX external data: initializers over a threshold leave the protobuf, and onnxruntime-node loads
// the model both from memory (`externalData` option) and from files next to it, with the same
// outputs as the inline model.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { type ConstantData, Graph, add, gather, matmul, mul, toOnnxBytes, toOnnxModel } from '../../../src/engine';
import { Rng } from '../../../src/model/rng';

/** Seeded so a failure replays: rerun this file. */
const testRng = new Rng(1616);

const randomF32 = (n: number): Float32Array => Float32Array.from({ length: n }, () => testRng.next() * 2 - 1);

/** x [2,3] → (x·W + b) ⊙ p, plus rows of a baked table picked by constant int64 ids. */
function fixture(): { graph: Graph; bake: Map<string, ConstantData>; x: Float32Array } {
  const g = new Graph('float32', 'external');
  const x = g.input('x', [2, 3]);
  const w = g.constant(randomF32(12), [3, 4], 'float32');
  const b = g.constant(randomF32(4), [4], 'float32');
  g.output('y', mul(add(matmul(x, w), b), g.input('layers/0:p', [4])));
  const ids = g.constant(
    BigInt64Array.from({ length: 3 }, () => BigInt(Math.floor(testRng.next() * 5))),
    [3],
    'int64',
  );
  g.output('rows', gather(g.input('layers/0/p', [5, 4]), ids));
  const bake = new Map<string, ConstantData>([
    ['layers/0:p', { dtype: 'float32', shape: [4], data: randomF32(4) }],
    ['layers/0/p', { dtype: 'float32', shape: [5, 4], data: randomF32(20) }],
  ]);
  return { graph: g, bake, x: randomF32(6) };
}

async function outputs(session: ort.InferenceSession, x: Float32Array): Promise<Record<string, number[]>> {
  const out = await session.run({ x: new ort.Tensor('float32', x, [2, 3]) });
  await session.release();
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, Array.from(t.data as Float32Array)]));
}

describe('ONNX external data', () => {
  it('moves initializers at or over the threshold out, with location, offset and length', () => {
    const { graph, bake } = fixture();
    // 20 bytes: W (48), the ids (24) and the table (80) go, b and p (16 each) stay.
    const { model, external } = toOnnxModel(graph, { bake, externalThresholdBytes: 20 });
    const inits = onnx.ModelProto.decode(model).graph!.initializer as onnx.TensorProto[];
    const inline = inits.filter((t) => t.dataLocation === onnx.TensorProto.DataLocation.DEFAULT);
    assert.deepEqual(
      inline.map((t) => t.rawData.length),
      [16, 16],
    );
    assert.ok(inline.some((t) => t.name === 'layers/0:p'));
    assert.equal(external.length, 3);
    for (const t of inits.filter((i) => i.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL)) {
      assert.equal(t.rawData.length, 0, `${t.name} has no inline data`);
      const entries = Object.fromEntries(t.externalData.map((e) => [e.key, e.value]));
      const file = external.find((f) => f.path === entries.location)!;
      assert.deepEqual(entries, { location: file.path, offset: '0', length: String(file.data.length) }, t.name);
    }
    assert.deepEqual(external.find((f) => f.path === 'layers_0_p.bin')!.data, new Uint8Array(bake.get('layers/0/p')!.data.buffer));
  });

  it('gives every external tensor a plain, distinct file name', () => {
    const { graph, bake } = fixture();
    const names = toOnnxModel(graph, { bake, externalThresholdBytes: 1 }).external.map((f) => f.path);
    assert.equal(new Set(names).size, names.length);
    assert.ok(
      names.every((n) => /^[A-Za-z0-9_-][A-Za-z0-9._-]*\.bin$/.test(n)),
      names.join(),
    );
    assert.deepEqual(names.filter((n) => n.startsWith('layers')).sort(), ['layers_0_p.2.bin', 'layers_0_p.bin']);
  });

  it('onnxruntime-node gives the inline model’s outputs, from memory and from files', async () => {
    const { graph, bake, x } = fixture();
    const inline = await outputs(await ort.InferenceSession.create(toOnnxBytes(graph, { bake })), x);
    const { model, external } = toOnnxModel(graph, { bake, externalThresholdBytes: 1 });
    assert.deepEqual(await outputs(await ort.InferenceSession.create(model, { externalData: external }), x), inline);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-extdata-'));
    fs.writeFileSync(path.join(dir, 'model.onnx'), model);
    for (const f of external) fs.writeFileSync(path.join(dir, f.path), f.data);
    assert.deepEqual(await outputs(await ort.InferenceSession.create(path.join(dir, 'model.onnx')), x), inline);
    fs.rmSync(dir, { recursive: true });
  });

  it('a threshold above every initializer gives exactly toOnnxBytes', () => {
    const { graph, bake } = fixture();
    const { model, external } = toOnnxModel(graph, { bake, externalThresholdBytes: 1 << 30 });
    assert.deepEqual(external, []);
    assert.deepEqual(model, toOnnxBytes(graph, { bake }));
  });
});
