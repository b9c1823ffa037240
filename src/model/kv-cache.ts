// The sampler's KV cache in JS memory: one keys and one values buffer per layer, fed to every decode
// step as zero-copy inputs and written in place, one position per step (the decode graph returns only
// the new position's key and value, so nothing cache-sized crosses the ORT boundary per token).
// Sequences are blocks of the buffers, so finished ones are dropped by moving the rest forward.
import type { HostTensor } from '../engine';
import type { PolicyConfig } from './config';
import { cacheShapes } from './graphs';
import { FEED } from './feed-names';

export class KvCache {
  /** Per layer, keys transposed: [N, H, dh, S] over the first `size` sequences of the buffer. */
  private readonly kBuf: Float32Array[] = [];
  /** Per layer, values: [N, H, S, dh]. */
  private readonly vBuf: Float32Array[] = [];
  private readonly H: number;
  private readonly dh: number;
  private readonly S: number;
  /** Sequences held; compact() lowers it as sequences finish. */
  private size: number;

  constructor(c: PolicyConfig, N: number) {
    const [, H, dh, S] = cacheShapes(c, N).kT as [number, number, number, number];
    this.H = H;
    this.dh = dh;
    this.S = S;
    this.size = N;
    for (let l = 0; l < c.nLayers; l++) {
      this.kBuf.push(new Float32Array(N * H * dh * S));
      this.vBuf.push(new Float32Array(N * H * S * dh));
    }
  }

  get sequences(): number {
    return this.size;
  }

  /** Values of one sequence in one layer's buffer (keys and values alike). */
  private get block(): number {
    return this.H * this.dh * this.S;
  }

  /** Decode-graph feeds `cache_k.l` / `cache_v.l` over the held sequences (views: no copy). */
  feeds(into: Record<string, HostTensor>): void {
    const n = this.size * this.block;
    const { H, dh, S } = this;
    this.kBuf.forEach((data, l) => (into[FEED.cacheK(l)] = { dtype: 'float32', shape: [this.size, H, dh, S], data: data.subarray(0, n) }));
    this.vBuf.forEach((data, l) => (into[FEED.cacheV(l)] = { dtype: 'float32', shape: [this.size, H, S, dh], data: data.subarray(0, n) }));
  }

  /** Stores a prefill's first T positions: kT [N,H,dh,T] and v [N,H,T,dh]. */
  writePrefix(l: number, kT: Float32Array, v: Float32Array, T: number): void {
    const { dh, S } = this;
    const rows = this.size * this.H;
    const K = this.kBuf[l]!;
    for (let r = 0; r < rows * dh; r++) K.set(kT.subarray(r * T, (r + 1) * T), r * S);
    const V = this.vBuf[l]!;
    for (let r = 0; r < rows; r++) V.set(v.subarray(r * T * dh, (r + 1) * T * dh), r * S * dh);
  }

  /** Stores one position's key and value, each [N, H, dh]. */
  writeAt(l: number, pos: number, k: Float32Array, v: Float32Array): void {
    const { dh, S } = this;
    const rows = this.size * this.H;
    const K = this.kBuf[l]!;
    const V = this.vBuf[l]!;
    for (let r = 0; r < rows; r++) {
      for (let d = 0; d < dh; d++) K[(r * dh + d) * S + pos] = k[r * dh + d]!;
      V.set(v.subarray(r * dh, (r + 1) * dh), (r * S + pos) * dh);
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
 * Text positions to prefill before decoding: the first L tokens are known for every sequence when
 * L < the shortest prompt. Rounded down to a power of two (or 0) so a run builds few prefill sessions.
 */
export function prefillLength(shortestPrompt: number): number {
  const known = shortestPrompt - 1;
  return known < 1 ? 0 : 2 ** Math.floor(Math.log2(known));
}
