// Fixture builders for model tests: tiny configs, random images, token rows.
import { type PolicyConfig, resolvePolicyConfig } from '../../../src/model';
import type { Rng } from '../../../src/model/rng';

export function tinyConfig(over: Partial<PolicyConfig> = {}): PolicyConfig {
  return resolvePolicyConfig({ vocabSize: 13, dModel: 8, nHeads: 2, nLayers: 2, dFF: 16, maxTextLen: 6, image: { channels: 1, size: 4, patchSize: 2 }, ...over });
}

export const randomImage = (rng: Rng, c: PolicyConfig): Float32Array => Float32Array.from({ length: c.image.channels * c.image.size ** 2 }, () => rng.next());

export const randomTokens = (rng: Rng, c: PolicyConfig, length: number, lo = 3): number[] => Array.from({ length }, () => lo + Math.floor(rng.next() * (c.vocabSize - lo)));

export const rows = (lengths: readonly number[], f: (b: number, j: number) => number): number[][] => lengths.map((n, b) => Array.from({ length: n - 1 }, (_, j) => f(b, j)));
