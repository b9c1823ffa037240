// The forward pass of a Hugging Face decoder (Llama / Qwen2 / Qwen3) in engine ops, following
// transformers' modeling_llama.py, modeling_qwen2.py and modeling_qwen3.py: RMSNorm, rotary
// embedding in the HF "rotate half" layout, grouped-query attention, SwiGLU MLP, Qwen2's q/k/v
// biases, Qwen3's per-head q/k norms, tied or separate output embedding. LoRA adapts chosen linear
// modules: y = x·Wᵀ + b + (α/r)·(x·Aᵀ)·Bᵀ, the base W frozen.
import {
  type Dim,
  type Graph,
  type Tensor,
  add,
  ONNX_DTYPE,
  attr,
  causalBias,
  concat,
  dimAdd,
  gather,
  linear,
  matmul,
  mul,
  neg,
  reduceSum,
  reshape,
  rmsNorm,
  slice,
  softmax,
  transpose,
  where,
  silu,
} from '../../engine';
import { type HfDecoderConfig, hfParamSpecs } from './config';

export type HfParamTensors = Map<string, Tensor>;

/** The linear modules LoRA may adapt, by their HF module name (PEFT's target_modules). */
export const LORA_MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LoraModule = (typeof LORA_MODULES)[number];

export interface LoraConfig {
  rank: number;
  alpha: number;
  targetModules: readonly LoraModule[];
}

/** PEFT's default targets for Llama-shaped models: the attention's query and value projections. */
export const LORA_DEFAULTS: LoraConfig = { rank: 8, alpha: 16, targetModules: ['q_proj', 'v_proj'] };

export const loraNames = (module: string): { a: string; b: string } => ({ a: `${module}.lora_A.weight`, b: `${module}.lora_B.weight` });

export interface LoraParamSpec {
  name: string;
  shape: [number, number];
  /** A starts random (Kaiming-uniform, as PEFT), B at zero: the adapted model starts equal to the base. */
  init: 'kaiming' | 'zeros';
}

/** LoRA's A [r, in] and B [out, r] for every targeted linear module of every layer. */
export function loraParamSpecs(c: HfDecoderConfig, lora: LoraConfig): LoraParamSpec[] {
  const specs: LoraParamSpec[] = [];
  for (const s of hfParamSpecs(c)) {
    const m = /^(model\.layers\.\d+\.(?:self_attn|mlp)\.(\w+))\.weight$/.exec(s.name);
    if (!m || !lora.targetModules.includes(m[2] as LoraModule)) continue;
    const [out, inp] = s.shape as [number, number];
    const n = loraNames(m[1]!);
    specs.push({ name: n.a, shape: [lora.rank, inp], init: 'kaiming' }, { name: n.b, shape: [out, lora.rank], init: 'zeros' });
  }
  return specs;
}

/**
 * Declares the base weights and, with LoRA, the adapters. Trainable tensors are graph parameters
 * (gradients flow to them), the rest plain inputs: with LoRA the base is an input, so no weight
 * gradient of it is ever built. `without` names base weights the graph does not read.
 */
export function declareHfParams(
  g: Graph,
  c: HfDecoderConfig,
  mode: { train: 'full' | 'lora' | 'none'; lora?: LoraConfig | undefined },
  without: ReadonlySet<string> = new Set(),
): HfParamTensors {
  const P: HfParamTensors = new Map();
  for (const s of hfParamSpecs(c)) if (!without.has(s.name)) P.set(s.name, mode.train === 'full' ? g.param(s.name, s.shape) : g.input(s.name, s.shape));
  if (mode.lora) for (const s of loraParamSpecs(c, mode.lora)) P.set(s.name, mode.train === 'lora' ? g.param(s.name, s.shape) : g.input(s.name, s.shape));
  return P;
}

interface Ctx {
  c: HfDecoderConfig;
  P: HfParamTensors;
  lora: LoraConfig | undefined;
}

function p(P: HfParamTensors, name: string): Tensor {
  const t = P.get(name);
  if (!t) throw new Error(`hf decoder: missing parameter '${name}'`);
  return t;
}

function proj(ctx: Ctx, module: string, x: Tensor): Tensor {
  const y = linear(x, p(ctx.P, `${module}.weight`), ctx.P.get(`${module}.bias`));
  const name = module.slice(module.lastIndexOf('.') + 1) as LoraModule;
  if (!ctx.lora?.targetModules.includes(name)) return y;
  const n = loraNames(module);
  return add(y, mul(linear(linear(x, p(ctx.P, n.a)), p(ctx.P, n.b)), ctx.lora.alpha / ctx.lora.rank));
}

/** cos and sin [T, headDim] of the rotary embedding at int64 positions [T] (HF: emb = cat(freqs, freqs)). */
export function rotaryTables(g: Graph, c: HfDecoderConfig, positions: Tensor): { cos: Tensor; sin: Tensor } {
  return g.untaped(() => {
    const T = positions.shape[0]!;
    const half = c.headDim / 2;
    // As HF: inv_freq = 1 / θ^(2i/d) in float32, then positions · inv_freq in float32.
    const dt = g.dtype;
    const freq = Array.from({ length: half }, (_, i) => 1 / Math.fround(Math.pow(c.ropeTheta, Math.fround((2 * i) / c.headDim))));
    const inv = dt === 'float64' ? Float64Array.from(freq) : Float32Array.from(freq);
    const pos = g.node('Cast', [g.node('Unsqueeze', [positions, g.int64s([1])], [T, 1], 'int64')], [T, 1], dt, { to: attr.int(ONNX_DTYPE[dt]) });
    const freqs = g.node('Mul', [pos, g.constant(inv, [1, half], dt)], [T, half], dt);
    const emb = g.node('Concat', [freqs, freqs], [T, c.headDim], dt, { axis: attr.int(1) });
    return { cos: g.node('Cos', [emb], [T, c.headDim], dt), sin: g.node('Sin', [emb], [T, c.headDim], dt) };
  });
}

/** x·cos + rotate_half(x)·sin over the last axis (x [..., T, dh]). */
function rope(x: Tensor, t: { cos: Tensor; sin: Tensor }): Tensor {
  const dh = x.shape[x.shape.length - 1] as number;
  const x1 = slice(x, -1, 0, dh / 2);
  const x2 = slice(x, -1, dh / 2, dh);
  return add(mul(x, t.cos), mul(concat([neg(x2), x1], -1), t.sin));
}

interface Heads {
  /** Queries [B, Hkv, rep, T, dh], rotated and pre-scaled by 1/√dh (unscaled for a decode step, `scaledQuery` false). */
  q: Tensor;
  /** Keys [B, Hkv, 1, T, dh], rotated. */
  k: Tensor;
  /** Keys transposed [B, Hkv, 1, dh, T], rotated. */
  kT: Tensor;
  /** Values [B, Hkv, 1, T, dh]. */
  v: Tensor;
}

const attentionScale = (c: HfDecoderConfig): number => 1 / Math.sqrt(c.headDim);

/** Projections, Qwen3's head norms and the rotary embedding for the T positions of x [B, T, D]. */
function heads(ctx: Ctx, l: number, x: Tensor, rot: { cos: Tensor; sin: Tensor }, scaledQuery: boolean): Heads {
  const { c, P } = ctx;
  const [B, T] = x.shape as [Dim, Dim];
  const a = `model.layers.${l}.self_attn.`;
  const Hkv = c.numKvHeads;
  const rep = c.numHeads / Hkv;
  const dh = c.headDim;
  let q = reshape(proj(ctx, `${a}q_proj`, x), [B, T, Hkv, rep, dh]);
  let k = reshape(proj(ctx, `${a}k_proj`, x), [B, T, Hkv, 1, dh]);
  const v = reshape(proj(ctx, `${a}v_proj`, x), [B, T, Hkv, 1, dh]);
  if (c.qkNorm) {
    q = rmsNorm(q, p(P, `${a}q_norm.weight`), c.rmsNormEps);
    k = rmsNorm(k, p(P, `${a}k_norm.weight`), c.rmsNormEps);
  }
  const perm = [0, 2, 3, 1, 4];
  const rotated = rope(transpose(q, perm), rot);
  const kRotated = rope(transpose(k, perm), rot);
  return {
    q: scaledQuery ? mul(rotated, attentionScale(c)) : rotated,
    k: kRotated,
    kT: transpose(kRotated, [0, 1, 2, 4, 3]),
    v: transpose(v, perm),
  };
}

/** Attention output y [B, Hkv, rep, T, dh] back to [B, T, H·dh] and through o_proj. */
function output(ctx: Ctx, l: number, y: Tensor): Tensor {
  const [B, , , T] = y.shape as [Dim, number, number, Dim, number];
  const merged = reshape(transpose(y, [0, 3, 1, 2, 4]), [B, T, ctx.c.numHeads * ctx.c.headDim]);
  return proj(ctx, `model.layers.${l}.self_attn.o_proj`, merged);
}

function mlp(ctx: Ctx, l: number, x: Tensor): Tensor {
  const m = `model.layers.${l}.mlp.`;
  return proj(ctx, `${m}down_proj`, mul(silu(proj(ctx, `${m}gate_proj`, x)), proj(ctx, `${m}up_proj`, x)));
}

/** One decoder layer; `attend` turns this layer's heads into the attention output [B, Hkv, rep, T, dh]. */
function layer(ctx: Ctx, l: number, x: Tensor, rot: { cos: Tensor; sin: Tensor }, attend: (h: Heads) => Tensor, scaledQuery = true): Tensor {
  const { c, P } = ctx;
  const pre = `model.layers.${l}.`;
  const h = heads(ctx, l, rmsNorm(x, p(P, `${pre}input_layernorm.weight`), c.rmsNormEps), rot, scaledQuery);
  x = add(x, output(ctx, l, attend(h)));
  return add(x, mlp(ctx, l, rmsNorm(x, p(P, `${pre}post_attention_layernorm.weight`), c.rmsNormEps)));
}

/** The input embedding table [V, D]. */
export const EMBED_TOKENS = 'model.embed_tokens.weight';

/** The output embedding [V, D]: lm_head, or the token embedding when tied. */
export const headWeightName = (c: HfDecoderConfig): string => (c.tieWordEmbeddings ? EMBED_TOKENS : 'lm_head.weight');

export const headWeight = (c: HfDecoderConfig, P: HfParamTensors): Tensor => p(P, headWeightName(c));

const NEG_INF = -1e9;

function positionsOf(g: Graph, T: Dim): Tensor {
  const zero = g.constant(BigInt64Array.of(0n), [], 'int64');
  const one = g.constant(BigInt64Array.of(1n), [], 'int64');
  return g.node('Range', [zero, g.node('Reshape', [g.dimTensor(T), g.int64s([])], [], 'int64'), one], [T], 'int64');
}

/**
 * Causal self-attention over positions 0..T−1 of T token embeddings [B, T, D], made by `tokens`
 * after the rotary tables and the mask (the graphs' node order, and so ORT's plan, as before the
 * staged step); `onLayer` sees each layer's kᵀ and v, `onResidual` the input of each layer l and
 * the last layer's output (l = numLayers).
 */
function encode(g: Graph, ctx: Ctx, T: Dim, tokens: () => Tensor, onLayer?: (l: number, h: Heads) => void, onResidual?: Residuals): Tensor {
  const rot = rotaryTables(g, ctx.c, positionsOf(g, T));
  const causal = causalBias(g, T, NEG_INF);
  let x = tokens();
  for (let l = 0; l < ctx.c.numLayers; l++) {
    onResidual?.(l, x);
    x = layer(ctx, l, x, rot, (h) => {
      onLayer?.(l, h);
      return matmul(softmax(add(matmul(h.q, h.kT), causal)), h.v);
    });
  }
  onResidual?.(ctx.c.numLayers, x);
  return x;
}

/** Sees the residual stream: the input of layer l, and the last layer's output at l = numLayers. */
export type Residuals = (l: number, x: Tensor) => void;

const embed = (P: HfParamTensors, ids: Tensor): Tensor => gather(p(P, EMBED_TOKENS), ids);

/** The model's final RMSNorm of the last layer's output x [B, T, D]. */
export const finalNorm = (c: HfDecoderConfig, P: HfParamTensors, x: Tensor): Tensor => rmsNorm(x, p(P, 'model.norm.weight'), c.rmsNormEps);

/** Final normalised hidden states [B, T, D] of ids [B, T] (int64); `onResidual` sees the residual stream. */
export function hfHidden(g: Graph, c: HfDecoderConfig, P: HfParamTensors, lora: LoraConfig | undefined, ids: Tensor, onResidual?: Residuals): Tensor {
  return finalNorm(
    c,
    P,
    encode(g, { c, P, lora }, ids.shape[1]!, () => embed(P, ids), undefined, onResidual),
  );
}

/**
 * The layers alone, from their input x [B, T, D] to the last one's output (no final norm): with a
 * one-layer config, the graph the memory-saving step runs once per layer.
 */
export function hfLayers(g: Graph, c: HfDecoderConfig, P: HfParamTensors, lora: LoraConfig | undefined, x: Tensor): Tensor {
  return encode(g, { c, P, lora }, x.shape[1]!, () => x);
}

/** Logits [B, T, V] of ids [B, T]. */
export function hfLogits(g: Graph, c: HfDecoderConfig, P: HfParamTensors, lora: LoraConfig | undefined, ids: Tensor): Tensor {
  return linear(hfHidden(g, c, P, lora, ids), headWeight(c, P));
}

export interface HfKvTensors {
  /** Per layer: keys [N, Hkv, L, dh], multiplied by 1/√dh (the cache's layout, kv-cache.ts). */
  k: Tensor[];
  /** Per layer: values [N, Hkv, L, dh]. */
  v: Tensor[];
}

/** Keys and values of every layer for the first L tokens, ids [N, L]. */
export function hfPrefill(g: Graph, c: HfDecoderConfig, P: HfParamTensors, lora: LoraConfig | undefined, ids: Tensor): HfKvTensors {
  const [N, L] = ids.shape as [Dim, Dim];
  const kv: HfKvTensors = { k: [], v: [] };
  encode(
    g,
    { c, P, lora },
    L,
    () => embed(P, ids),
    (_, h) => {
      kv.k.push(reshape(mul(h.k, attentionScale(c)), [N, c.numKvHeads, L, c.headDim]));
      kv.v.push(reshape(h.v, [N, c.numKvHeads, L, c.headDim]));
    },
  );
  return kv;
}

export interface HfDecodeTensors {
  logits: Tensor;
  /** Per layer, this position's key (× 1/√dh) and value, each [N, Hkv, dh]. */
  k: Tensor[];
  v: Tensor[];
}

/**
 * One decode step for N sequences, each at its own position `pos` ([N] int64): token [N, 1] attends
 * to its cache slots < pos (keys × 1/√dh and values, each [N, Hkv, S, dh]; later slots are masked) and to
 * itself. The caches are only read; the new key and value come back for the caller to store. The
 * query stays unscaled, so ORT's M = 1 MatMul kernel takes the scores (as the tiny policy's decode).
 */
export function hfDecodeStep(
  g: Graph,
  c: HfDecoderConfig,
  P: HfParamTensors,
  lora: LoraConfig | undefined,
  token: Tensor,
  pos: Tensor,
  cacheK: readonly Tensor[],
  cacheV: readonly Tensor[],
): HfDecodeTensors {
  const ctx: Ctx = { c, P, lora };
  const S = cacheK[0]!.shape[2]!;
  const N = token.shape[0]!;
  const Hkv = c.numKvHeads;
  const dh = c.headDim;
  // Per row: rotations [N, 1, 1, 1, dh] against q [N, Hkv, rep, 1, dh], masks [N, 1, 1, 1, S].
  const tables = rotaryTables(g, c, pos);
  const rot = { cos: reshape(tables.cos, [N, 1, 1, 1, dh]), sin: reshape(tables.sin, [N, 1, 1, 1, dh]) };
  const slots = positionsOf(g, S);
  const seen = g.node('Less', [slots, reshape(pos, [N, 1])], [N, S], 'bool');
  const bias = reshape(where(seen, g.scalar(0), NEG_INF), [N, 1, 1, 1, S]);
  const k: Tensor[] = [];
  const v: Tensor[] = [];
  let x = embed(P, token);
  for (let l = 0; l < c.numLayers; l++) {
    x = layer(
      ctx,
      l,
      x,
      rot,
      (h) => {
        const kScaled = mul(h.k, attentionScale(c));
        k.push(reshape(kScaled, [N, Hkv, dh]));
        v.push(reshape(h.v, [N, Hkv, dh]));
        const keys = transpose(reshape(cacheK[l]!, [N, Hkv, 1, S, dh]), [0, 1, 2, 4, 3]);
        const toItself = reduceSum(mul(h.q, kScaled), [4], true);
        const weights = softmax(concat([add(matmul(h.q, keys), bias), toItself], -1));
        const toCache = slice(weights, -1, 0, S);
        const toSelf = slice(weights, -1, S, dimAdd(S, 1));
        return add(matmul(toCache, reshape(cacheV[l]!, [N, Hkv, 1, S, dh])), mul(toSelf, h.v));
      },
      false,
    );
  }
  const logits = linear(rmsNorm(x, p(P, 'model.norm.weight'), c.rmsNormEps), headWeight(c, P));
  return { logits: reshape(logits, [N, c.vocabSize]), k, v };
}
