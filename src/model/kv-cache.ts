// The sampler's KV cache in JS memory: one keys and one values buffer per layer, fed to every decode
// step as zero-copy inputs and written in place, one position per step (the decode graph returns only
// the new position's key and value, so nothing cache-sized crosses the ORT boundary per token).
// Sequences are blocks of the buffers, so finished ones are dropped by moving the rest forward; the
// cache holds only the positions reached so far (rounded up), so a step reads no empty slots.
import type { HostTensor } from '../engine';
import { FEED } from './feed-names';

/** Positions a cache grows by: each growth copies it, each decode step reads its whole capacity. */
export const CACHE_GROWTH = 32;

/** What a cache holds per sequence: layers × heads × headDim values per position, up to `limit` positions. */
export interface KvLayout {
  layers: number;
  heads: number;
  headDim: number;
  limit: number;
}

export class KvCache {
  /** Per layer, keys transposed: [N, H, dh, S] over the first `size` sequences, S = `capacity`. */
  private kBuf: Float32Array[] = [];
  /** Per layer, values: [N, H, S, dh]. */
  private vBuf: Float32Array[] = [];
  private readonly H: number;
  private readonly dh: number;
  /** Most positions any sequence can reach (image patches + text). */
  private readonly limit: number;
  /** Positions held now; grows in steps of CACHE_GROWTH as decoding goes on. */
  private capacity = 0;
  /** Sequences held; compact() lowers it as sequences finish. */
  private size: number;

  constructor(
    private readonly layout: KvLayout,
    N: number,
    positions: number,
  ) {
    this.H = layout.heads;
    this.dh = layout.headDim;
    this.limit = layout.limit;
    this.size = N;
    this.reserve(positions);
  }

  get sequences(): number {
    return this.size;
  }

  /** Values of one sequence in one layer's buffer (keys and values alike). */
  private get block(): number {
    return this.H * this.dh * this.capacity;
  }

  /**
   * Makes room for positions [0, n): grows the capacity to n rounded up to CACHE_GROWTH (at most the
   * context), copying what is held. Returns true when it grew, so feeds must be taken again.
   */
  reserve(n: number): boolean {
    if (n <= this.capacity) return false;
    if (n > this.limit) throw new Error(`KV cache: position ${n - 1} is past the context of ${this.limit}`);
    const cap = Math.min(this.limit, Math.ceil(n / CACHE_GROWTH) * CACHE_GROWTH);
    const old = this.capacity;
    const rows = this.size * this.H;
    const { dh } = this;
    const grown = (prev: Float32Array | undefined, runs: number, from: number, to: number): Float32Array => {
      const next = new Float32Array(runs * to);
      return prev ? copyRows(prev, from, next, to, runs, from) : next;
    };
    this.kBuf = Array.from({ length: this.layout.layers }, (_, l) => grown(this.kBuf[l], rows * dh, old, cap));
    this.vBuf = Array.from({ length: this.layout.layers }, (_, l) => grown(this.vBuf[l], rows, old * dh, cap * dh));
    this.capacity = cap;
    return true;
  }

  /** Decode-graph feeds `cache_k.l` / `cache_v.l` over the held sequences and positions (views: no copy). */
  feeds(into: Record<string, HostTensor>): void {
    const n = this.size * this.block;
    const { H, dh, capacity } = this;
    this.kBuf.forEach((data, l) => (into[FEED.cacheK(l)] = { dtype: 'float32', shape: [this.size, H, dh, capacity], data: data.subarray(0, n) }));
    this.vBuf.forEach((data, l) => (into[FEED.cacheV(l)] = { dtype: 'float32', shape: [this.size, H, capacity, dh], data: data.subarray(0, n) }));
  }

  /** Stores a prefill's first T positions: kT [N,H,dh,T] and v [N,H,T,dh]. */
  writePrefix(l: number, kT: Float32Array, v: Float32Array, T: number): void {
    this.reserve(T);
    const { dh, capacity: S } = this;
    const rows = this.size * this.H;
    copyRows(kT, T, this.kBuf[l]!, S, rows * dh, T);
    copyRows(v, T * dh, this.vBuf[l]!, S * dh, rows, T * dh);
  }

  /** Stores one position's key and value, each [N, H, dh] (the position must be reserved). */
  writeAt(l: number, pos: number, k: Float32Array, v: Float32Array): void {
    const { dh, capacity: S } = this;
    if (pos >= S) throw new Error(`KV cache: position ${pos} is not reserved (capacity ${S})`);
    const rows = this.size * this.H;
    const K = this.kBuf[l]!;
    const V = this.vBuf[l]!;
    // Plain loops: a subarray per row costs more than the few values it copies.
    for (let i = 0, at = pos; i < rows * dh; i++, at += S) K[at] = k[i]!;
    for (let r = 0; r < rows; r++) for (let d = 0, from = r * dh, at = (r * S + pos) * dh; d < dh; d++) V[at + d] = v[from + d]!;
  }

  /**
   * Keeps only the sequences at `keep` (ascending indices into the current ones), moved to the
   * front in that order, so finished sequences stop costing decode work.
   */
  compact(keep: readonly number[]): void {
    const b = this.block;
    for (const buf of [...this.kBuf, ...this.vBuf]) {
      keep.forEach((from, to) => {
        if (from !== to) buf.copyWithin(to * b, from * b, (from + 1) * b);
      });
    }
    this.size = keep.length;
  }
}

/**
 * Copies `rows` runs of `len` values, `from` apart in `src`, to `to` apart in `dst`, and returns
 * `dst`. Plain loops: runs are a few dozen values, and a subarray per run costs more than its copy.
 */
function copyRows(src: Float32Array, from: number, dst: Float32Array, to: number, rows: number, len: number): Float32Array {
  for (let r = 0; r < rows; r++) for (let i = 0, a = r * from, b = r * to; i < len; i++) dst[b + i] = src[a + i]!;
  return dst;
}

/** Text positions to prefill before decoding: the first L tokens are known for every sequence when L < the shortest prompt. */
export function prefillLength(shortestPrompt: number): number {
  return Math.max(0, shortestPrompt - 1);
}
