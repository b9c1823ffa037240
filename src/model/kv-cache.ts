// The sampler's KV cache in JS memory: one keys and one values buffer per layer, fed to every decode
// step as zero-copy inputs and written in place, one position per step (the decode graph returns only
// the new position's key and value, so nothing cache-sized crosses the ORT boundary per token).
import type { HostTensor } from '../engine';
import type { PolicyConfig } from './config';
import { cacheShapes } from './graphs';
import { FEED } from './feed-names';

export class KvCache {
  /** Per layer, keys transposed: [N, H, dh, S]. */
  readonly kT: Float32Array[] = [];
  /** Per layer, values: [N, H, S, dh]. */
  readonly v: Float32Array[] = [];
  private readonly rows: number;
  private readonly dh: number;
  private readonly S: number;
  private readonly shapes: { kT: number[]; v: number[] };

  constructor(c: PolicyConfig, N: number) {
    this.shapes = cacheShapes(c, N);
    const [, H, dh, S] = this.shapes.kT as [number, number, number, number];
    this.rows = N * H;
    this.dh = dh;
    this.S = S;
    for (let l = 0; l < c.nLayers; l++) {
      this.kT.push(new Float32Array(this.rows * dh * S));
      this.v.push(new Float32Array(this.rows * S * dh));
    }
  }

  /** Decode-graph feeds `cache_k.l` / `cache_v.l` over these buffers (same arrays every step). */
  feeds(into: Record<string, HostTensor>): void {
    this.kT.forEach((data, l) => (into[FEED.cacheK(l)] = { dtype: 'float32', shape: this.shapes.kT, data }));
    this.v.forEach((data, l) => (into[FEED.cacheV(l)] = { dtype: 'float32', shape: this.shapes.v, data }));
  }

  /** Stores a prefill's first T positions: kT [N,H,dh,T] and v [N,H,T,dh]. */
  writePrefix(l: number, kT: Float32Array, v: Float32Array, T: number): void {
    const { dh, S } = this;
    const K = this.kT[l]!;
    for (let r = 0; r < this.rows * dh; r++) K.set(kT.subarray(r * T, (r + 1) * T), r * S);
    const V = this.v[l]!;
    for (let r = 0; r < this.rows; r++) V.set(v.subarray(r * T * dh, (r + 1) * T * dh), r * S * dh);
  }

  /** Stores one position's key and value, each [N, H, dh]. */
  writeAt(l: number, pos: number, k: Float32Array, v: Float32Array): void {
    const { dh, S } = this;
    const K = this.kT[l]!;
    const V = this.v[l]!;
    for (let r = 0; r < this.rows; r++) {
      for (let d = 0; d < dh; d++) K[(r * dh + d) * S + pos] = k[r * dh + d]!;
      V.set(v.subarray(r * dh, (r + 1) * dh), (r * S + pos) * dh);
    }
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
