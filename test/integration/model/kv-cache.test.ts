// KV cache: a decode step after a prefill must produce the keys/values (and cache contents) of a
// prefill one position longer, for each sequence at its own position (shorter prompts right-padded).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineSession, type HostTensor, toOnnxBytes } from '../../../src/engine';
import { KvCache, kvLayout, buildDecodeGraph, buildPrefillGraph, initParams, numPatches, paramSpecs, patchDim, patchifyBatch } from '../../../src/model';
import { randomImage, randomTokens, tinyConfig } from './fixtures';
import { Rng } from '../../../src/model/rng';

describe('KV cache', () => {
  it('a decode step after a prefill equals a prefill one position longer, each sequence at its own position', async () => {
    const c = tinyConfig({ vocabSize: 30, dModel: 16, nHeads: 2, maxTextLen: 10 });
    const N = 3;
    const L = 2;
    const Np = numPatches(c);
    const rng = new Rng(303);
    const params = initParams(c, 7);
    const tokens = Array.from({ length: N }, () => randomTokens(rng, c, L + 1));
    // Sequence 1 knows one token less: its prefill slot L - 1 holds padding, which its step overwrites.
    const known = [L, L - 1, L];
    const pad = 0;
    const patches = patchifyBatch(
      c,
      tokens.map(() => randomImage(rng, c)),
    );
    const feeds = (extra: Record<string, HostTensor>): Record<string, HostTensor> => {
      for (const s of paramSpecs(c)) extra[s.name] = { dtype: 'float32', shape: s.shape, data: params.get(s.name)! };
      return extra;
    };
    const prefill = async (len: number, padded: boolean): Promise<KvCache> => {
      const s = await EngineSession.create(toOnnxBytes(buildPrefillGraph(c, N, len)), { threads: 1 });
      const ids = BigInt64Array.from(tokens.flatMap((t, n) => t.slice(0, len).map((id, j) => BigInt(padded && j >= known[n]! ? pad : id))));
      const out = await s.run(feeds({ patches: { dtype: 'float32', shape: [N, Np, patchDim(c)], data: patches }, ids: { dtype: 'int64', shape: [N, len], data: ids } }));
      await s.release();
      const cache = new KvCache(kvLayout(c), N, Np + L + 1);
      for (let l = 0; l < c.nLayers; l++) cache.writePrefix(l, out[`k.${l}`]!.data as Float32Array, out[`v.${l}`]!.data as Float32Array, Np + len);
      return cache;
    };
    const stepped = await prefill(L, true);
    const decode = await EngineSession.create(toOnnxBytes(buildDecodeGraph(c, N)), { threads: 1 });
    const f = feeds({
      token: { dtype: 'int64', shape: [N, 1], data: BigInt64Array.from(tokens.map((t, n) => BigInt(t[known[n]!]!))) },
      pos: { dtype: 'int64', shape: [N], data: BigInt64Array.from(known.map((k) => BigInt(Np + k))) },
      temperature: { dtype: 'float32', shape: [1], data: Float32Array.of(1) },
    });
    stepped.feeds(f);
    const out = await decode.run(f);
    await decode.release();
    for (let l = 0; l < c.nLayers; l++)
      stepped.writeAt(
        l,
        known.map((k) => Np + k),
        out[`k.${l}`]!.data as Float32Array,
        out[`v.${l}`]!.data as Float32Array,
      );
    const whole = await prefill(L + 1, false);
    const [got, want] = [stepped, whole].map((cache) => {
      const into: Record<string, HostTensor> = {};
      cache.feeds(into);
      return into;
    }) as [Record<string, HostTensor>, Record<string, HostTensor>];
    // Each sequence's positions up to its own; later slots are masked in use.
    let maxErr = 0;
    let nonZero = 0;
    let compared = 0;
    for (const name of Object.keys(want)) {
      const [, H, S, dh] = want[name]!.shape as [number, number, number, number];
      const [a, b] = [got[name]!.data as Float32Array, want[name]!.data as Float32Array];
      for (let n = 0; n < N; n++)
        for (let h = 0; h < H; h++)
          for (let t = 0; t <= Np + known[n]!; t++)
            for (let d = 0; d < dh; d++) {
              const i = ((n * H + h) * S + t) * dh + d;
              maxErr = Math.max(maxErr, Math.abs(a[i]! - b[i]!));
              if (a[i] !== 0) nonZero++;
              compared++;
            }
    }
    assert.equal(compared, 2 * c.nLayers * c.dModel * known.reduce((sum, k) => sum + Np + k + 1, 0));
    assert.ok(nonZero >= compared * 0.99, 'every stored position holds a key and a value');
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
