// Published config.json shapes of the HF models the benchmarks stand in for (random weights: speed
// and memory do not depend on the values).
import { type HfDecoderConfig, hfParamSpecs, parseHfConfig } from '../../src/model/hf/config';
import type { Rng } from '../../src/model/rng';

/** HuggingFaceTB/SmolLM2-135M(-Instruct): Llama-shaped, 30 layers, width 576, 9 heads, 3 KV heads, tied embeddings. */
export const SMOLLM2_135M = {
  model_type: 'llama',
  hidden_size: 576,
  intermediate_size: 1536,
  num_hidden_layers: 30,
  num_attention_heads: 9,
  num_key_value_heads: 3,
  head_dim: 64,
  hidden_act: 'silu',
  rms_norm_eps: 1e-5,
  rope_theta: 100000,
  max_position_embeddings: 8192,
  tie_word_embeddings: true,
  vocab_size: 49152,
  bos_token_id: 1,
  eos_token_id: 2,
};

/** Qwen/Qwen2.5-0.5B(-Instruct): 24 layers, width 896, 14 heads, 2 KV heads, q/k/v biases, tied embeddings. */
export const QWEN25_05B = {
  model_type: 'qwen2',
  hidden_size: 896,
  intermediate_size: 4864,
  num_hidden_layers: 24,
  num_attention_heads: 14,
  num_key_value_heads: 2,
  hidden_act: 'silu',
  rms_norm_eps: 1e-6,
  rope_theta: 1000000,
  max_position_embeddings: 32768,
  tie_word_embeddings: true,
  use_sliding_window: false,
  vocab_size: 151936,
  bos_token_id: 151643,
  eos_token_id: 151645,
};

export const benchConfig = (json: Record<string, unknown>): HfDecoderConfig => parseHfConfig(json, 'bench');

/** Random base weights under HF names: norms 1, everything else uniform in ±0.02. */
export const randomBase = (c: HfDecoderConfig, rng: Rng): Map<string, Float32Array> =>
  new Map(
    hfParamSpecs(c).map((s) => {
      const data = new Float32Array(s.shape.reduce((x, y) => x * y, 1));
      for (let i = 0; i < data.length; i++) data[i] = s.name.endsWith('norm.weight') ? 1 : 0.04 * (rng.next() - 0.5);
      return [s.name, data];
    }),
  );
