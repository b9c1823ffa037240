// A Hugging Face decoder's config.json (Llama, Qwen2, Qwen3; SmolLM2 is Llama-shaped), read into the
// fields the graph needs. Anything the graph does not implement (rope scaling, sliding windows,
// experts, another activation) is refused with the field's name: never silently approximated.

export type HfArchitecture = 'llama' | 'qwen2' | 'qwen3';

export const HF_ARCHITECTURES: readonly HfArchitecture[] = ['llama', 'qwen2', 'qwen3'];

export interface HfDecoderConfig {
  architecture: HfArchitecture;
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  /** Grouped-query attention: each KV head serves numHeads / numKvHeads query heads. */
  numKvHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  maxPositions: number;
  tieWordEmbeddings: boolean;
  /** Biases on q/k/v projections (Qwen2 always; Llama and Qwen3 when attention_bias). */
  qkvBias: boolean;
  /** Bias on o_proj (Llama and Qwen3 when attention_bias; never Qwen2). */
  oBias: boolean;
  /** Biases on gate/up/down (Llama's mlp_bias). */
  mlpBias: boolean;
  /** Qwen3: RMSNorm over each head's q and k before the rotary embedding. */
  qkNorm: boolean;
  /** Token ids from config.json (generation_config.json may add more end-of-sequence ids). */
  bosTokenId: number | null;
  eosTokenIds: number[];
}

export class HfConfigError extends Error {
  constructor(
    readonly source: string,
    readonly field: string,
    message: string,
  ) {
    super(`${source}: ${field}: ${message}`);
  }
}

type Json = Record<string, unknown>;

/** Reads config.json's object; `source` names the file in errors. */
export function parseHfConfig(json: unknown, source = 'config.json'): HfDecoderConfig {
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new HfConfigError(source, '(root)', 'expected a JSON object');
  const o = json as Json;
  const fail = (field: string, message: string): never => {
    throw new HfConfigError(source, field, message);
  };
  const int = (field: string, fallback?: number): number => {
    const v = o[field] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail(field, `must be a positive integer, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const num = (field: string, fallback?: number): number => {
    const v = o[field] ?? fallback;
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) fail(field, `must be a positive number, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const bool = (field: string, fallback: boolean): boolean => {
    const v = o[field] ?? fallback;
    if (typeof v !== 'boolean') fail(field, `must be true or false, got ${JSON.stringify(v)}`);
    return v as boolean;
  };

  const type = o.model_type;
  if (!HF_ARCHITECTURES.includes(type as HfArchitecture)) {
    fail('model_type', `${JSON.stringify(type)} is not supported (supported: ${HF_ARCHITECTURES.join(', ')}; SmolLM2 is 'llama')`);
  }
  const architecture = type as HfArchitecture;
  for (const moe of ['num_experts', 'num_local_experts', 'n_routed_experts']) {
    if (typeof o[moe] === 'number' && (o[moe] as number) > 0) fail(moe, 'mixture-of-experts models are not supported');
  }
  const act = o.hidden_act ?? 'silu';
  if (act !== 'silu') fail('hidden_act', `${JSON.stringify(act)} is not supported (only 'silu', the SwiGLU MLP)`);
  const scaling = o.rope_scaling;
  if (scaling !== undefined && scaling !== null) {
    const kind = (scaling as Json).rope_type ?? (scaling as Json).type;
    if (kind !== 'default') fail('rope_scaling', `${JSON.stringify(kind)} rope scaling is not implemented (only none or 'default')`);
  }
  if (o.use_sliding_window === true) fail('use_sliding_window', 'sliding-window attention is not implemented');
  if (Array.isArray(o.layer_types) && o.layer_types.some((t) => t !== 'full_attention')) fail('layer_types', 'only full_attention layers are implemented');
  if (typeof o.pretraining_tp === 'number' && o.pretraining_tp !== 1) fail('pretraining_tp', `must be 1, got ${o.pretraining_tp}`);

  const hiddenSize = int('hidden_size');
  const numHeads = int('num_attention_heads');
  const numKvHeads = int('num_key_value_heads', numHeads);
  if (numHeads % numKvHeads !== 0) fail('num_key_value_heads', `${numKvHeads} does not divide num_attention_heads ${numHeads}`);
  if (o.head_dim === undefined && hiddenSize % numHeads !== 0) fail('hidden_size', `${hiddenSize} is not divisible by num_attention_heads ${numHeads}`);
  const headDim = int('head_dim', Math.floor(hiddenSize / numHeads));
  if (headDim % 2 !== 0) fail('head_dim', `must be even for the rotary embedding, got ${headDim}`);
  const attentionBias = bool('attention_bias', false);

  const eos = o.eos_token_id;
  const eosTokenIds = eos === undefined || eos === null ? [] : Array.isArray(eos) ? eos : [eos];
  if (!eosTokenIds.every((t) => Number.isInteger(t) && (t as number) >= 0)) fail('eos_token_id', `must be a token id or a list of ids, got ${JSON.stringify(eos)}`);
  const bos = o.bos_token_id;
  if (bos !== undefined && bos !== null && !(Number.isInteger(bos) && (bos as number) >= 0)) fail('bos_token_id', `must be a token id, got ${JSON.stringify(bos)}`);

  return {
    architecture,
    vocabSize: int('vocab_size'),
    hiddenSize,
    intermediateSize: int('intermediate_size'),
    numLayers: int('num_hidden_layers'),
    numHeads,
    numKvHeads,
    headDim,
    rmsNormEps: num('rms_norm_eps', 1e-6),
    ropeTheta: num('rope_theta', 10000),
    maxPositions: int('max_position_embeddings', 2048),
    tieWordEmbeddings: bool('tie_word_embeddings', false),
    qkvBias: architecture === 'qwen2' ? true : attentionBias,
    oBias: architecture === 'qwen2' ? false : attentionBias,
    mlpBias: architecture === 'llama' ? bool('mlp_bias', false) : false,
    qkNorm: architecture === 'qwen3',
    bosTokenId: (bos as number | null | undefined) ?? null,
    eosTokenIds: eosTokenIds as number[],
  };
}

/** The HF parameter names and shapes ([out, in] for linear weights, as nn.Linear stores them). */
export interface HfParamSpec {
  name: string;
  shape: number[];
}

export function hfParamSpecs(c: HfDecoderConfig): HfParamSpec[] {
  const D = c.hiddenSize;
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const F = c.intermediateSize;
  const specs: HfParamSpec[] = [{ name: 'model.embed_tokens.weight', shape: [c.vocabSize, D] }];
  const lin = (name: string, out: number, inp: number, bias: boolean): void => {
    specs.push({ name: `${name}.weight`, shape: [out, inp] });
    if (bias) specs.push({ name: `${name}.bias`, shape: [out] });
  };
  for (let l = 0; l < c.numLayers; l++) {
    const p = `model.layers.${l}.`;
    specs.push({ name: `${p}input_layernorm.weight`, shape: [D] });
    lin(`${p}self_attn.q_proj`, q, D, c.qkvBias);
    lin(`${p}self_attn.k_proj`, kv, D, c.qkvBias);
    lin(`${p}self_attn.v_proj`, kv, D, c.qkvBias);
    if (c.qkNorm) specs.push({ name: `${p}self_attn.q_norm.weight`, shape: [c.headDim] }, { name: `${p}self_attn.k_norm.weight`, shape: [c.headDim] });
    lin(`${p}self_attn.o_proj`, D, q, c.oBias);
    specs.push({ name: `${p}post_attention_layernorm.weight`, shape: [D] });
    lin(`${p}mlp.gate_proj`, F, D, c.mlpBias);
    lin(`${p}mlp.up_proj`, F, D, c.mlpBias);
    lin(`${p}mlp.down_proj`, D, F, c.mlpBias);
  }
  specs.push({ name: 'model.norm.weight', shape: [D] });
  if (!c.tieWordEmbeddings) specs.push({ name: 'lm_head.weight', shape: [c.vocabSize, D] });
  return specs;
}
