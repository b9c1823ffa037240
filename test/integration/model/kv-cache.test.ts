// KV cache: prefill length choice, and a decode step after a prefill of T positions must produce the
// keys/values (and cache contents) of a prefill of T + 1 positions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineSession, type HostTensor, toOnnxBytes } from '../../../src/engine';
import { KvCache, kvLayout, buildDecodeGraph, buildPrefillGraph, initParams, numPatches, paramSpecs, patchDim, patchifyBatch, prefillLength } from '../../../src/model';
import { randomImage, randomTokens, tinyConfig } from './fixtures';
import { Rng } from '../../../src/model/rng';

describe('KV cache', () => {
  it('prefills the text prefix every prompt has, all but its last token (which the first decode step reads)', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 9, 17, 100].map(prefillLength), [0, 1, 2, 3, 4, 8, 16, 99]);
  });

  it('a decode step after a prefill equals a prefill one position longer', async () => {
    const c = tinyConfig({ vocabSize: 30, dModel: 16, nHeads: 2, maxTextLen: 10 });
    const N = 3;
    const L = 2;
    const Np = numPatches(c);
    const rng = new Rng(303);
    const params = initParams(c, 7);
    const tokens = Array.from({ length: N }, () => randomTokens(rng, c, L + 1));
    const patches = patchifyBatch(
      c,
      tokens.map(() => randomImage(rng, c)),
    );
    const feeds = (extra: Record<string, HostTensor>): Record<string, HostTensor> => {
      for (const s of paramSpecs(c)) extra[s.name] = { dtype: 'float32', shape: s.shape, data: params.get(s.name)! };
      return extra;
    };
    const prefill = async (len: number): Promise<KvCache> => {
      const s = await EngineSession.create(toOnnxBytes(buildPrefillGraph(c, N, len)), { threads: 1 });
      const ids = BigInt64Array.from(tokens.flatMap((t) => t.slice(0, len).map(BigInt)));
      const out = await s.run(feeds({ patches: { dtype: 'float32', shape: [N, Np, patchDim(c)], data: patches }, ids: { dtype: 'int64', shape: [N, len], data: ids } }));
      await s.release();
      const cache = new KvCache(kvLayout(c), N, Np + L + 1);
      for (let l = 0; l < c.nLayers; l++) cache.writePrefix(l, out[`k.${l}`]!.data as Float32Array, out[`v.${l}`]!.data as Float32Array, Np + len);
      return cache;
    };
    const stepped = await prefill(L);
    const decode = await EngineSession.create(toOnnxBytes(buildDecodeGraph(c, N)), { threads: 1 });
    const f = feeds({
      token: { dtype: 'int64', shape: [N, 1], data: BigInt64Array.from(tokens.map((t) => BigInt(t[L]!))) },
      pos: { dtype: 'int64', shape: [1], data: BigInt64Array.of(BigInt(Np + L)) },
    });
    stepped.feeds(f);
    const out = await decode.run(f);
    await decode.release();
    for (let l = 0; l < c.nLayers; l++) stepped.writeAt(l, Np + L, out[`k.${l}`]!.data as Float32Array, out[`v.${l}`]!.data as Float32Array);
    const whole = await prefill(L + 1);
    const [got, want] = [stepped, whole].map((cache) => {
      const into: Record<string, HostTensor> = {};
      cache.feeds(into);
      return into;
    }) as [Record<string, HostTensor>, Record<string, HostTensor>];
    let maxErr = 0;
    let nonZero = 0;
    for (const name of Object.keys(want)) {
      const b = want[name]!.data as Float32Array;
      (got[name]!.data as Float32Array).forEach((x, i) => {
        maxErr = Math.max(maxErr, Math.abs(x - b[i]!));
        if (x !== 0) nonZero++;
      });
    }
    assert.ok(nonZero >= 2 * c.nLayers * N * c.dModel * (Np + L + 1) * 0.99, 'every stored position holds a key and a value');
    assert.ok(maxErr < 1e-5, `max |decode − prefill| = ${maxErr}`);

    // Compaction keeps the chosen sequences' blocks, in order, and feeds only those.
    const before: Record<string, HostTensor> = {};
    whole.feeds(before);
    const copies = Object.fromEntries(Object.entries(before).map(([k, t]) => [k, Float32Array.from(t.data as Float32Array)]));
    const keep = [1, N - 1];
    whole.compact(keep);
    const after: Record<string, HostTensor> = {};
    whole.feeds(after);
    assert.equal(whole.sequences, keep.length);
    for (const [name, t] of Object.entries(after)) {
      assert.equal(t.shape[0], keep.length);
      const block = (t.data as Float32Array).length / keep.length;
      keep.forEach((from, to) => assert.deepEqual((t.data as Float32Array).subarray(to * block, (to + 1) * block), copies[name]!.subarray(from * block, (from + 1) * block)));
    }
  });
});
