// The sampler's KV cache in JS memory: one keys and one values buffer per layer, fed to every decode
// step as zero-copy inputs and written in place, one position per sequence and step (the decode graph returns only
// the new position's key and value, so nothing cache-sized crosses the ORT boundary per token).
// Sequences are blocks of the buffers, so finished ones are dropped by moving the rest forward; the
// cache holds only the positions reached so far (rounded up), so a step reads no empty slots.
// The buffers are sized for the whole context once and re-strided in place as the cache grows, and
// a KvStorage keeps them for the next sampling (a large policy drops them when it trains): touching
// fresh memory is what growth used to cost (docs/engine.md, "Sampling speed, profiled").
import type { HostTensor } from '../engine';
import { FEED } from './feed-names';

/** Positions a cache grows by: each growth re-strides it, each decode step reads its whole capacity. */
export const CACHE_GROWTH = 32;

/** What a cache holds per sequence: layers × heads × headDim values per position, up to `limit` positions. */
export interface KvLayout {
  layers: number;
  heads: number;
  headDim: number;
  limit: number;
}

/**
 * The buffers caches are built in, kept from one sampling to the next (a policy owns one; a large
 * one clears it when it trains). A cache that finds them taken, by a sampling still running, gets
 * buffers of its own.
 */
export class KvStorage {
  private buffers: Float32Array[] = [];
  private taken = false;

  /** `count` buffers of at least `length` values and whether they are fresh (all zeros). */
  take(count: number, length: number): { buffers: Float32Array[]; fresh: boolean } {
    const fresh = (): Float32Array[] => Array.from({ length: count }, () => new Float32Array(length));
    if (this.taken) return { buffers: fresh(), fresh: true };
    this.taken = true;
    if (this.buffers.length === count && this.buffers[0]!.length >= length) return { buffers: this.buffers, fresh: false };
    this.buffers = fresh();
    return { buffers: this.buffers, fresh: true };
  }

  /** Hands back what take() gave (the owner's buffers only; others are left to the collector). */
  giveBack(buffers: readonly Float32Array[]): void {
    if (buffers[0] === this.buffers[0]) this.taken = false;
  }

  /** Drops the buffers (a released policy). */
  clear(): void {
    this.buffers = [];
    this.taken = false;
  }
}

export class KvCache {
  /**
   * Per layer, keys [N, H, S, dh] over the first `size` sequences, S = `capacity`, as the graphs
   * give them: already multiplied by 1/√dh, so a query multiplies them unscaled (docs/engine.md).
   */
  private readonly kBuf: Float32Array[];
  /** Per layer, values: [N, H, S, dh]. */
  private readonly vBuf: Float32Array[];
  private readonly H: number;
  private readonly dh: number;
  /** Most positions any sequence can reach (image patches + text). */
  private readonly limit: number;
  /** Positions held now; grows in steps of CACHE_GROWTH as decoding goes on. */
  private capacity = 0;
  /** Sequences held; compact() lowers it as sequences finish. */
  private size: number;

  constructor(
    layout: KvLayout,
    N: number,
    positions: number,
    private readonly storage: KvStorage = new KvStorage(),
  ) {
    this.H = layout.heads;
    this.dh = layout.headDim;
    this.limit = layout.limit;
    this.size = N;
    const cap = this.capacityFor(positions);
    const { buffers, fresh } = storage.take(2 * layout.layers, N * this.H * this.dh * layout.limit);
    this.kBuf = buffers.slice(0, layout.layers);
    this.vBuf = buffers.slice(layout.layers);
    // Reused buffers hold the last sampling's values; positions not yet written must read as 0.
    if (!fresh) for (const buf of buffers) buf.fill(0, 0, N * this.H * this.dh * cap);
    this.capacity = cap;
  }

  get sequences(): number {
    return this.size;
  }

  /** Hands the buffers back to the storage they came from; the cache must not be used after. */
  release(): void {
    this.storage.giveBack([...this.kBuf, ...this.vBuf]);
  }

  /** Values of one sequence in one layer's buffer (keys and values alike). */
  private get block(): number {
    return this.H * this.dh * this.capacity;
  }

  private capacityFor(n: number): number {
    if (n > this.limit) throw new Error(`KV cache: position ${n - 1} is past the context of ${this.limit}`);
    return Math.min(this.limit, Math.ceil(n / CACHE_GROWTH) * CACHE_GROWTH);
  }

  /**
   * Makes room for positions [0, n): grows the capacity to n rounded up to CACHE_GROWTH (at most the
   * context), moving what is held to the wider stride. Returns true when it grew, so feeds must be
   * taken again.
   */
  reserve(n: number): boolean {
    if (n <= this.capacity) return false;
    const cap = this.capacityFor(n);
    const old = this.capacity;
    const rows = this.size * this.H;
    const { dh } = this;
    for (const buf of [...this.kBuf, ...this.vBuf]) restride(buf, rows, old * dh, cap * dh);
    this.capacity = cap;
    return true;
  }

  /** Decode-graph feeds `cache_k.l` / `cache_v.l` over the held sequences and positions (views: no copy). */
  feeds(into: Record<string, HostTensor>): void {
    const n = this.size * this.block;
    const shape = [this.size, this.H, this.capacity, this.dh];
    this.kBuf.forEach((data, l) => (into[FEED.cacheK(l)] = { dtype: 'float32', shape, data: data.subarray(0, n) }));
    this.vBuf.forEach((data, l) => (into[FEED.cacheV(l)] = { dtype: 'float32', shape, data: data.subarray(0, n) }));
  }

  /**
   * Stores a prefill's first T positions: k and v, each [M,H,T,dh], of M prefilled sequences;
   * sequence i takes prefilled sequence `source[i]` (the identity when omitted; none when -1).
   */
  writePrefix(l: number, k: Float32Array, v: Float32Array, T: number, source?: readonly number[]): void {
    this.reserve(T);
    const { H, dh, capacity: S } = this;
    for (const [src, dst] of [
      [k, this.kBuf[l]!],
      [v, this.vBuf[l]!],
    ] as const) {
      for (let i = 0; i < this.size; i++) {
        const from = source ? source[i]! : i;
        if (from >= 0) copyRows(src, from * H * T * dh, T * dh, dst, i * H * S * dh, S * dh, H, T * dh);
      }
    }
  }

  /**
   * Stores one position per sequence, sequence n's at `positions[n]` (each reserved): k and v,
   * each [N, H, dh].
   */
  writeAt(l: number, positions: readonly number[], k: Float32Array, v: Float32Array): void {
    const { H, dh, capacity: S } = this;
    const kBuf = this.kBuf[l]!;
    const vBuf = this.vBuf[l]!;
    // One loop over every (sequence, head) row for keys and values together: each row is a few
    // dozen values, so call and bounds overheads per row would cost more than the copy.
    for (let n = 0, src = 0; n < this.size; n++) {
      const pos = positions[n]!;
      if (pos >= S) throw new Error(`KV cache: position ${pos} is not reserved (capacity ${S})`);
      for (let h = 0, dst = (n * H * S + pos) * dh; h < H; h++, dst += S * dh, src += dh) {
        for (let i = 0; i < dh; i++) {
          kBuf[dst + i] = k[src + i]!;
          vBuf[dst + i] = v[src + i]!;
        }
      }
    }
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
 * Moves `rows` runs of `from` values, stored `from` apart, to `to` apart (to > from) in the same
 * buffer and zeroes each run's new tail. The last run moves first, so no run is overwritten before
 * it has moved. copyWithin and fill per run: measured 1.3–2.6× faster than plain loops on runs of
 * 32–192 values, 5–8× on the values' longer runs.
 */
function restride(buf: Float32Array, rows: number, from: number, to: number): void {
  for (let r = rows - 1; r >= 0; r--) {
    const a = r * from;
    const b = r * to;
    if (a !== b) buf.copyWithin(b, a, a + from);
    buf.fill(0, b + from, b + to);
  }
}

/**
 * Copies `rows` runs of `len` values, starting at `src0` and `from` apart in `src`, to `dst0` and
 * `to` apart in `dst`. A prefix's runs are positions × headDim values, long enough for set()'s
 * memcpy to beat an element loop (2–3× on the demo's prefixes).
 */
function copyRows(src: Float32Array, src0: number, from: number, dst: Float32Array, dst0: number, to: number, rows: number, len: number): void {
  for (let r = 0; r < rows; r++) dst.set(src.subarray(src0 + r * from, src0 + r * from + len), dst0 + r * to);
}
