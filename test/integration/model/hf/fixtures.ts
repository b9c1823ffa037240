// Tiny HF-shaped decoders with seeded random weights, for graph and runtime tests (files in the HF
// layout come from test/hf/tiny-checkpoint.ts).
import { type HfArchitecture, type HfDecoderConfig, hfParamSpecs, parseHfConfig } from '../../../../src/model/hf/config';
import { Rng } from '../../../../src/model/rng';

export function tinyHfConfig(architecture: HfArchitecture, over: Record<string, unknown> = {}): HfDecoderConfig {
  return parseHfConfig({
    model_type: architecture,
    vocab_size: 61,
    hidden_size: 24,
    intermediate_size: 40,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    head_dim: 8,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    max_position_embeddings: 128,
    tie_word_embeddings: architecture !== 'llama',
    attention_bias: architecture === 'llama',
    ...over,
  });
}

/** Weights under HF names: linears N(0, 0.15²), norms 1 ± 0.2, biases ± 0.1 (so each one matters). */
export function randomHfWeights(c: HfDecoderConfig, seed = 1): Map<string, Float32Array> {
  const rng = new Rng(seed);
  return new Map(
    hfParamSpecs(c).map((s) => {
      const n = s.shape.reduce((a, b) => a * b, 1);
      const norm = s.name.endsWith('norm.weight');
      const data = Float32Array.from({ length: n }, () => (norm ? 1 + 0.2 * rng.normal() : s.shape.length === 1 ? 0.1 * rng.normal() : 0.15 * rng.normal()));
      return [s.name, data];
    }),
  );
}

export const randomIds = (rng: Rng, n: number, V: number): number[] => Array.from({ length: n }, () => Math.floor(rng.next() * V));
