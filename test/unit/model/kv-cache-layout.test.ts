// The KV cache's bookkeeping in JS, against an independent model of what it must hold: a map from
// (sequence, head, dim, position) to the value written there. Growth, prefix and per-position
// writes and compaction must keep every written value where the decode graph reads it (keys and
// values alike [N,H,S,dh], S the capacity), and every other slot must read 0, also in buffers
// another cache used before.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostTensor } from '../../../src/engine';
import { CACHE_GROWTH, KvCache, KvStorage } from '../../../src/model/kv-cache';
import { Rng } from '../../../src/model/rng';

const layout = { layers: 2, heads: 3, headDim: 4, limit: 100 };
const { heads: H, headDim: dh } = layout;

/** Reference contents: per layer, `k`/`v` → "n,h,d,s" → value. */
type Model = Map<string, number>[];
const at = (n: number, h: number, d: number, s: number): string => `${n},${h},${d},${s}`;

function checkAgainst(cache: KvCache, model: { k: Model; v: Model }, seqs: number[]): void {
  const feeds: Record<string, HostTensor> = {};
  cache.feeds(feeds);
  for (let l = 0; l < layout.layers; l++) {
    const k = feeds[`cache_k.${l}`]!;
    const v = feeds[`cache_v.${l}`]!;
    const S = k.shape[2]!;
    assert.deepEqual(k.shape, [seqs.length, H, S, dh]);
    assert.deepEqual(v.shape, [seqs.length, H, S, dh]);
    seqs.forEach((seq, n) => {
      for (let h = 0; h < H; h++)
        for (let d = 0; d < dh; d++)
          for (let s = 0; s < S; s++) {
            const key = at(seq, h, d, s);
            assert.equal(k.data[((n * H + h) * S + s) * dh + d], model.k[l]!.get(key) ?? 0, `k layer ${l} ${key}`);
            assert.equal(v.data[((n * H + h) * S + s) * dh + d], model.v[l]!.get(key) ?? 0, `v layer ${l} ${key}`);
          }
    });
  }
}

const emptyModel = (): { k: Model; v: Model } => ({ k: [new Map(), new Map()], v: [new Map(), new Map()] });

/** Prefills T positions of M = max(source) + 1 rows with random values; sequence i takes row source[i]. */
function writePrefix(cache: KvCache, model: { k: Model; v: Model }, rng: Rng, T: number, source: number[]): void {
  const M = Math.max(...source) + 1;
  for (let l = 0; l < layout.layers; l++) {
    const k = new Float32Array(M * H * T * dh);
    const v = new Float32Array(M * H * T * dh);
    for (let i = 0; i < k.length; i++) k[i] = Math.fround(rng.next());
    for (let i = 0; i < v.length; i++) v[i] = Math.fround(rng.next());
    source.forEach((m, n) => {
      for (let h = 0; h < H; h++)
        for (let d = 0; d < dh; d++)
          for (let s = 0; s < T; s++) {
            model.k[l]!.set(at(n, h, d, s), k[((m * H + h) * T + s) * dh + d]!);
            model.v[l]!.set(at(n, h, d, s), v[((m * H + h) * T + s) * dh + d]!);
          }
    });
    cache.writePrefix(l, k, v, T, source);
  }
}

/** Writes position `pos` (or `pos[n]` for held sequence n) of the held sequences `seqs` (their original indices) with random values. */
function writePosition(cache: KvCache, model: { k: Model; v: Model }, rng: Rng, pos: number | number[], seqs: number[]): void {
  const positions = seqs.map((_, n) => (typeof pos === 'number' ? pos : pos[n]!));
  for (let l = 0; l < layout.layers; l++) {
    const k = new Float32Array(seqs.length * H * dh);
    const v = new Float32Array(seqs.length * H * dh);
    seqs.forEach((seq, n) => {
      for (let h = 0; h < H; h++)
        for (let d = 0; d < dh; d++) {
          model.k[l]!.set(at(seq, h, d, positions[n]!), (k[(n * H + h) * dh + d] = Math.fround(rng.next())));
          model.v[l]!.set(at(seq, h, d, positions[n]!), (v[(n * H + h) * dh + d] = Math.fround(rng.next())));
        }
    });
    cache.writeAt(l, positions, k, v);
  }
}

describe('KV cache layout', () => {
  it('keeps every written key and value in place through growth and compaction', () => {
    const rng = new Rng(41);
    const N = 5;
    const T = 7;
    const model = emptyModel();
    const cache = new KvCache(layout, N, T + 1);
    writePrefix(cache, model, rng, T, [...Array(N).keys()]);
    let seqs = [...Array(N).keys()];
    const write = (pos: number): void => writePosition(cache, model, rng, pos, seqs);
    for (let pos = T; pos < CACHE_GROWTH + 3; pos++) {
      assert.equal(cache.reserve(pos + 1), pos + 1 > CACHE_GROWTH && pos === CACHE_GROWTH, `grows only when position ${pos} passes the capacity`);
      write(pos);
      if (pos === 20) {
        cache.compact([1, 3, 4]);
        seqs = [1, 3, 4];
      }
    }
    checkAgainst(cache, model, seqs);
    cache.compact([0, 2]);
    checkAgainst(cache, model, [1, 4]);
    assert.equal(cache.reserve(3 * CACHE_GROWTH), true);
    checkAgainst(cache, model, [1, 4]);
    assert.throws(() => cache.writeAt(0, [0, 3 * CACHE_GROWTH], new Float32Array(2 * H * dh), new Float32Array(2 * H * dh)), /not reserved/);
  });

  it('writes each sequence at its own position', () => {
    const rng = new Rng(43);
    const model = emptyModel();
    const cache = new KvCache(layout, 4, 9);
    writePrefix(cache, model, rng, 3, [0, 1, 2, 3]);
    writePosition(cache, model, rng, [3, 5, 4, 8], [0, 1, 2, 3]);
    writePosition(cache, model, rng, [4, 6, 5, 3], [0, 1, 2, 3]);
    checkAgainst(cache, model, [0, 1, 2, 3]);
  });

  it('gives a prefilled row to every sequence that shares it', () => {
    const rng = new Rng(42);
    const model = emptyModel();
    const cache = new KvCache(layout, 5, 4);
    writePrefix(cache, model, rng, 3, [0, 1, 0, 0, 1]);
    writePosition(cache, model, rng, 3, [0, 1, 2, 3, 4]);
    checkAgainst(cache, model, [0, 1, 2, 3, 4]);
  });

  it('reads 0 wherever nothing was written, in buffers another cache used before', () => {
    const rng = new Rng(43);
    const storage = new KvStorage();
    const first = new KvCache(layout, 4, 6, storage);
    writePrefix(first, emptyModel(), rng, 5, [0, 1, 2, 3]);
    for (let pos = 5; pos < 2 * CACHE_GROWTH + 5; pos++) {
      first.reserve(pos + 1);
      writePosition(first, emptyModel(), rng, pos, [0, 1, 2, 3]);
    }
    first.release();
    const model = emptyModel();
    const second = new KvCache(layout, 3, 3, storage);
    writePrefix(second, model, rng, 2, [0, 1, 2]);
    checkAgainst(second, model, [0, 1, 2]);
    for (let pos = 2; pos < CACHE_GROWTH + 2; pos++) {
      second.reserve(pos + 1);
      writePosition(second, model, rng, pos, [0, 1, 2]);
    }
    checkAgainst(second, model, [0, 1, 2]);
    // A cache made while `second` holds the storage gets buffers of its own.
    const third = new KvCache(layout, 3, 3, storage);
    writePrefix(third, emptyModel(), rng, 2, [0, 1, 2]);
    checkAgainst(second, model, [0, 1, 2]);
  });
});
